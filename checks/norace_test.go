//go:build !race

package checks

// raceDetector says whether the test binary was built with -race.
const raceDetector = false
