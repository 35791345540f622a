// Package bench measures Stowaway against its speed bar: the full scan
// beside BuildKit's parser alone over the same files, on the shared corpus of
// real Dockerfiles and on a generated 10,000-service monorepo. It also holds
// the monorepo generator; scripts/bench runs the comparison.
package bench
