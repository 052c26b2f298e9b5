// Package wirecompat holds the tests that check the SDK's Rastir push
// exporter against the project's own decoder and the Python client's
// requests. It is a module of its own so that the SDK does not depend on
// the collector's pdata, even in tests.
package wirecompat
