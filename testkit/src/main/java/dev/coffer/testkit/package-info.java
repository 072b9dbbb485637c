/**
 * The provider conformance suite (TCK) of Coffer: extend {@link
 * dev.coffer.testkit.BackupProviderConformance} once to test a provider against every rule of the
 * contract (P1 to P33); use {@link dev.coffer.testkit.FaultyFileSystem} to inject I/O failures,
 * full disks, short reads and crashes in a provider's own tests, {@link
 * dev.coffer.testkit.TreeGenerator} for reproducible source trees, and the fixtures {@link
 * dev.coffer.testkit.Snapshot} (the state of a tree), {@link dev.coffer.testkit.JimfsRoots} (fresh
 * in-memory file systems) and {@link dev.coffer.testkit.FakeProvider} (a minimal provider for tests
 * of hosts). {@link dev.coffer.testkit.ConformanceMain} runs the suite against every installed
 * provider without a build. See {@code docs/testkit.md}.
 */
package dev.coffer.testkit;
