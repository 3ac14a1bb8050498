#!/bin/sh
echo tool ran as $(id -u)
