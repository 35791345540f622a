package scan

import "github.com/stowaway-dev/stowaway/internal/saferoot"

// Root is a folder opened for scanning: its FS never leads out of the
// folder nor into a .git folder in it (saferoot.Root). The engine itself
// reads any fs.FS; this is the one a command should give it.
type Root = saferoot.Root

// OpenRoot opens dir for scanning.
func OpenRoot(dir string) (*Root, error) { return saferoot.Open(dir) }
