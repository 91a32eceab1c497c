// Package kubernetes holds credemu's Kubernetes manifests and the test that
// decodes them strictly into the Kubernetes API types and runs credemu with
// the Deployment's own arguments. It is a module of its own so that the
// main module does not depend on k8s.io.
package kubernetes
