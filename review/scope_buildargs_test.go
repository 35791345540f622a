package review

import (
	"context"
	"testing"
	"testing/fstest"

	"github.com/google/go-cmp/cmp"

	"github.com/stowaway-dev/stowaway/scan"
)

// TestScopeBuildArgSecret scans a real tree: a workflow that passes a CI
// secret as a build argument is what a pull request changing only that
// workflow is responsible for, and so is one changing the ARG it fills.
func TestScopeBuildArgSecret(t *testing.T) {
	const workflow = ".github/workflows/image.yml"
	fsys := fstest.MapFS{
		"app/Dockerfile": {Data: []byte("FROM node:22-slim\nARG NPM_TOKEN\nRUN npm ci\n")},
		workflow: {Data: []byte(`on: pull_request
jobs:
  image:
    runs-on: ubuntu-latest
    steps:
      - uses: docker/build-push-action@v6
        with:
          context: app
          build-args: |
            NPM_TOKEN=${{ secrets.NPM_TOKEN }}
`)},
		"db/Dockerfile": {Data: []byte("FROM postgres:16\nENV POSTGRES_PASSWORD=Hx9vQm2Lz7Rt\n")},
		"README.md":     {Data: []byte("# app\n")},
	}
	res, err := scan.Scan(context.Background(), fsys, nil, scan.Options{})
	if err != nil {
		t.Fatal(err)
	}
	type place struct {
		rule, path string
		line       int
	}
	ciFinding := place{"build-arg-secret", workflow, 10}
	tests := []struct {
		name    string
		changed string
		want    []place
	}{
		{"the workflow line", workflow, []place{ciFinding}},
		{"the ARG", "app/Dockerfile", []place{ciFinding, {"secret-arg", "app/Dockerfile", 2}}},
		{"neither", "README.md", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []place
			for _, f := range Scope(res, []*ChangedFile{{Path: tt.changed, Status: "modified"}}, ".stowaway.yml") {
				got = append(got, place{f.RuleID, f.Path, f.Region.StartLine})
			}
			if diff := cmp.Diff(tt.want, got, cmp.AllowUnexported(place{})); diff != "" {
				t.Errorf("Scope (-want +got):\n%s", diff)
			}
		})
	}
}
