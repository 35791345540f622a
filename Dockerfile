# syntax=docker/dockerfile:1
#
# The image of the Stowaway GitHub Action: one static binary on a minimal
# base. GitHub builds it from this file when action.yml says image: Dockerfile
# (main's); a release's action.yml runs the image the release workflow built
# from it and pushed to ghcr.io for linux/amd64 and linux/arm64.
#
# GitHub runs container actions as root, with the checkout mounted at
# /github/workspace, and asks actions not to set USER: another user could not
# read the checkout nor write the SARIF file next to it. So there is no USER
# here, and the final base is distroless/static's root variant (its :nonroot
# tag sets a user).
#
# Both base images are pinned by tag and digest; bump them together.

# The build stage runs on the builder's platform and cross-compiles for the
# target's: the multi-arch release needs no emulator.
FROM --platform=$BUILDPLATFORM golang:1.26.8-alpine@sha256:8ac98ca534ac3f51e1f420a1dd2c15e74c75cfa0f23f3ad27eb5d7236c349a0c AS build
WORKDIR /src
# The toolchain is the image's: go.mod's go line must not fetch another.
ENV CGO_ENABLED=0 GOTOOLCHAIN=local GOFLAGS=-buildvcs=false
COPY go.mod go.sum ./
RUN go mod download
# Only the packages the binary is built from; cmd/stowaway's tests check
# that this list covers every package it imports.
COPY actionlog/ actionlog/
COPY checks/ checks/
COPY scan/ scan/
COPY sarif/ sarif/
COPY report/ report/
COPY baseline/ baseline/
COPY image/ image/
COPY review/ review/
COPY action/ action/
COPY internal/ internal/
COPY cmd/ cmd/
ARG TARGETOS
ARG TARGETARCH
# The release tag; empty, stowaway version says dev.
ARG VERSION=""
RUN GOOS=$TARGETOS GOARCH=$TARGETARCH go build -trimpath -ldflags="-s -w -X main.version=${VERSION}" -o /out/stowaway ./cmd/stowaway

FROM gcr.io/distroless/static-debian12:latest@sha256:d75cdd72874d4790092fcb1b058493ecf6bb5bf2b2b897045b00ff01d91843f2
COPY --from=build /out/stowaway /usr/local/bin/stowaway
ENTRYPOINT ["/usr/local/bin/stowaway"]
