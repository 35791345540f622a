package scan

import "github.com/stowaway-dev/stowaway/internal/saferoot"

// OpenOSRoot is OpenRoot's fallback, for tests on systems with openat2.
var OpenOSRoot = saferoot.OpenOS

// ErrIntoGit is the error of a path that resolves into a .git folder.
var ErrIntoGit = saferoot.ErrIntoGit
