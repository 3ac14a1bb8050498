#!/bin/sh
echo started > /opt/app/run/started
exec sleep infinity
