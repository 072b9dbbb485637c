/**
 * The host integration surface: a host database hands Coffer a consistent snapshot of its files as
 * a {@link dev.coffer.BackupSource} and backs it up with {@link
 * dev.coffer.BackupRepository#backup(dev.coffer.BackupSource, String)}, which unfreezes the host in
 * every outcome. Subpackages implement it for Apache Derby and HSQLDB; see {@code
 * docs/host-integration.md}.
 */
package dev.coffer.examples;
