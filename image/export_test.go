package image_test

import "regexp"

var digestPrefix = regexp.MustCompile(`sha256:[0-9a-f]{12}`)
