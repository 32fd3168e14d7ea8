//go:build !linux

package main

// ownCgroup is empty: cgroups are Linux's.
func ownCgroup() string { return "" }
