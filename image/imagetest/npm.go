package imagetest

import (
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"
)

// The tokens of NPMImage, which NPMDockerfile bakes in.
const (
	NPMToken       = "npm_FAKEfakeFAKEfake0123456789abcdefABCD"
	NPMImageGitHub = "ghp_FAKEfakeFAKEfake0123456789abcdefABCD"
)

// NPMImage is what BuildKit makes of NPMDockerfile with
// --build-arg NPM_TOKEN=…: an ARG entry, the argument in front of the RUN,
// an .npmrc copied and then deleted.
func NPMImage(t testing.TB, platform string) v1.Image {
	t.Helper()
	img, err := Build(Spec{
		Platform: platform,
		Env:      []string{"PATH=/usr/bin:/bin"},
		History: []v1.History{
			{CreatedBy: "ADD rootfs.tar / # buildkit"},
			{CreatedBy: "ARG NPM_TOKEN=" + NPMToken, EmptyLayer: true},
			{CreatedBy: "COPY .npmrc ./ # buildkit"},
			{CreatedBy: "RUN |1 NPM_TOKEN=" + NPMToken + " /bin/sh -c npm ci && rm .npmrc # buildkit"},
		},
		Layers: [][]File{
			{{Name: "etc/ssl/certs/ca-certificates.crt", Body: "-----BEGIN CERTIFICATE-----\nMIIFAKE\n-----END CERTIFICATE-----\n"}},
			{{Name: ".npmrc", Body: "//registry.npmjs.org/:_authToken=" + NPMToken + "\n"}},
			{{Name: ".wh..npmrc"}, {Name: "app/settings.json", Body: `{"github": "` + NPMImageGitHub + `"}`}},
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	return img
}

// NPMDockerfile is the Dockerfile NPMImage is built from.
const NPMDockerfile = `FROM node:22
ARG NPM_TOKEN
COPY .npmrc ./
RUN npm ci && rm .npmrc
`
