// Package image checks built images the way someone who pulled them would
// read them: the config (Env, Labels, Cmd, Entrypoint, Healthcheck, User,
// OnBuild), the history (every entry's created_by, with the build
// arguments BuildKit records for each RUN and the values of stage ARGs),
// and every layer's files, those a later layer deletes included.
//
// It reads docker save tarballs, OCI image layouts and their tarballs with
// go-containerregistry's types, streams each layer once, never extracts
// anything to disk and bounds what it reads (Limits). Findings use the
// scanner's detection (checks) and come out as a scan.Result, so every
// writer of the scanner writes them; with the Dockerfile the image was
// built from, each finding sits on the instruction that put the secret
// there.
package image
