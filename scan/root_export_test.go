package scan

// OpenOSRoot is OpenRoot's fallback, for tests on systems with openat2.
var OpenOSRoot = openOSRoot

// ErrIntoGit is the error of a path that resolves into a .git folder.
var ErrIntoGit = errIntoGit
