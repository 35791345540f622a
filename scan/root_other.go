//go:build !linux

package scan

func openBeneath(string) (*Root, bool) { return nil, false }
