//go:build !unix

package records

// lockFile has no cross-process lock here; the in-process mutex still
// serialises this process's changes.
func lockFile(string) (func(), error) { return func() {}, nil }

// syncDir is not possible on this system; the file itself was synced.
func syncDir(string) error { return nil }

// processAlive cannot be asked here: a pending record counts as in
// progress until StaleAfter has passed.
func processAlive(int) bool { return true }
