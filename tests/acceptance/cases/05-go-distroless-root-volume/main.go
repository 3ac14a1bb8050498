package main

// The acceptance base images have no Go compiler: see tests/acceptance/bases/README.md.
func main() {}
