/**
 * The provider SPI: implement {@link dev.coffer.spi.BackupProvider}, register it for {@link
 * java.util.ServiceLoader}, and keep the contract below. This package holds the contract alone:
 * what a provider implements ({@link dev.coffer.spi.BackupProvider}) and the values it declares
 * ({@link dev.coffer.spi.Capability}, {@link dev.coffer.spi.OptionInfo}). The helpers that
 * implement the parts of it every provider needs (walking a source, relative paths, restore
 * staging, option parsing, id generation) are in {@link dev.coffer.spi.support}, so no provider
 * writes them twice. The conformance suite in {@code coffer-testkit} checks every rule; {@code
 * docs/contract.md} states each one in full.
 *
 * <h2>The provider contract</h2>
 *
 * <p>"Refused" means the call throws and the repository, the source and the target are unchanged.
 *
 * <ol>
 *   <li><b>P1 Discovery.</b> Public no-argument constructor, no I/O in it; registered in {@code
 *       META-INF/services} and with {@code provides ... with}.
 *   <li><b>P2 Naming.</b> {@code name()} matches {@code [a-z][a-z0-9-]*} and is unique; every
 *       accepted option is described by {@code options()}.
 *   <li><b>P3 Options.</b> Unknown (names are exact: case matters), missing required or malformed
 *       options fail {@code open} with an {@code IllegalArgumentException} naming the option; a
 *       refused open changes nothing.
 *   <li><b>P4 Secrets.</b> Secret option values never appear in a message, {@code toString}, log or
 *       clear-text stored file, and are refused in URLs.
 *   <li><b>P5 Persistence.</b> {@code open} creates an empty repository where there is none; a new
 *       instance, even in another JVM, sees the same backups.
 *   <li><b>P6 Any file system.</b> Default, Jimfs unix/osX/windows; source, repository and target
 *       may be on different file systems; never {@code Path#toFile}.
 *   <li><b>P7 Content.</b> Every regular file byte-identical, every directory including empty ones;
 *       correct totals and recorded metadata.
 *   <li><b>P8 Invalid source.</b> Missing: {@code NoSuchFileException}; a file: {@code
 *       NotDirectoryException}; repository unchanged.
 *   <li><b>P9 Symbolic links.</b> Never followed. With {@code SYMLINKS}: stored and restored as
 *       links, never written through. Without: the backup is refused naming the link.
 *   <li><b>P10 Atomicity.</b> A failed or interrupted backup never appears in {@code list()};
 *       leftovers are cleaned by the failing call or the next {@code open}.
 *   <li><b>P11 Concurrency.</b> Thread-safe; concurrent backups through one or several instances
 *       all succeed with distinct ids.
 *   <li><b>P12 Incremental.</b> With {@code INCREMENTAL}: records its base, restores to the full
 *       state including deletions; unknown base: {@code NoSuchBackupException}. Without: refused.
 *   <li><b>P13 Listing.</b> {@code list()} newest first; {@code find} and {@code latest} agree with
 *       it, also after another instance's delete; {@code size} is the bytes the backup added.
 *   <li><b>P14 Verify detects</b> any changed, truncated, missing or added stored byte, wherever it
 *       is and however often the backup verified before, naming the path and the kind of problem.
 *   <li><b>P15 Verify is read-only</b>, contents and times.
 *   <li><b>P16 Target.</b> {@code CREATE} mode needs an absent or empty target, else {@code
 *       DirectoryNotEmptyException}, nothing changed.
 *   <li><b>P17 Verified, all or nothing.</b> Every written byte is checked; on any failure the
 *       target is as it was ({@code CorruptBackupException} for a failed check).
 *   <li><b>P18 Replace.</b> Old content swapped only after the new is complete and verified.
 *   <li><b>P19 Partial restore.</b> With {@code PARTIAL_RESTORE}: exactly the requested paths;
 *       unknown path: {@code NoSuchFileException}, no staging left. Without: refused.
 *   <li><b>P20 Timestamps.</b> With {@code TIMESTAMPS}: files get their source last-modified time.
 *   <li><b>P21 Containment.</b> Restore never writes outside its target, whatever the repository
 *       holds, and also when another process swaps its staging directory for a link meanwhile.
 *   <li><b>P22 Delete.</b> Removes the backup; with {@code INDEPENDENT_INCREMENTALS} dependents
 *       stay restorable, without it deleting a base with dependents fails with {@code
 *       BackupInUseException}.
 *   <li><b>P23 Prune.</b> Deletes exactly what {@link dev.coffer.BackupRepository#pruneCandidates}
 *       names; kept backups stay restorable.
 *   <li><b>P24 Unknown ids.</b> {@code NoSuchBackupException} for a well-formed unknown id (a
 *       malformed one cannot be made into a {@link dev.coffer.BackupId}); {@code find} is empty.
 *   <li><b>P25 Encryption.</b> With {@code ENCRYPTION}: no planted plaintext appears in stored
 *       bytes; a wrong key fails with {@code WrongKeyException}.
 *   <li><b>P26 Compression.</b> With {@code COMPRESSION}: compressible data is stored smaller than
 *       its logical size.
 *   <li><b>P27 Modes.</b> With {@code POSIX_ATTRIBUTES}, where source and target file systems have
 *       POSIX permissions: every file and directory, and the target directory itself (from the
 *       source root), gets its recorded mode. Without: nothing is recorded and restored entries get
 *       the file system's defaults.
 *   <li><b>P28 Never more open.</b> With {@code POSIX_ATTRIBUTES}: at no moment during a restore
 *       does a file or directory grant group or others a permission its recorded mode does not
 *       (entries are created owner-only and get their mode at the end); a file whose source was not
 *       readable by others never is.
 *   <li><b>P29 Owners.</b> With {@code POSIX_ATTRIBUTES}: owners and groups are recorded and
 *       applied by the request's {@link dev.coffer.OwnerPolicy}; under {@code AUTO} a restore that
 *       may not change owners warns once and never fails for it.
 *   <li><b>P30 Special files.</b> Sockets, FIFOs and devices are skipped and listed in the backup's
 *       {@link dev.coffer.BackupMetadata#warnings() warnings}, or, with {@code SpecialFiles.FAIL},
 *       the backup is refused naming the file; never skipped silently. A name that is not valid
 *       UTF-8 is refused with its bytes in hex.
 *   <li><b>P31 Followed links.</b> A link matching a {@linkplain
 *       dev.coffer.BackupRequest#withFollowedLinks followed-link pattern} (a link to a directory)
 *       is stored as its target's content and restored as a real directory; no other link is
 *       followed.
 *   <li><b>P32 Verify progress.</b> {@code verify(id, listener)} reports {@code VERIFY} progress at
 *       least once per file, ending at the report's counts; a listener that throws aborts it and
 *       changes nothing.
 *   <li><b>P33 Host hooks.</b> Entries matching the request's {@linkplain
 *       dev.coffer.BackupRequest#withExcluded exclusion patterns} are left out (and never read).
 *       The {@linkplain dev.coffer.BackupRequest#withFinisher finisher} is called exactly once,
 *       after every source entry is copied and before anything is published; the files it returns
 *       are in the backup at their relative paths and count in its totals, its labels are among the
 *       backup's; a collision with a copied file or an existing label, or a finisher that throws,
 *       fails the backup and publishes nothing ({@link dev.coffer.spi.support.FinishedSource}
 *       applies these rules).
 *   <li><b>P34 Files that change while read.</b> A backup never reports plain success when a
 *       regular file changed while it was read (size, modification time, change time or file key
 *       differ from the scan to the end of the read, or the read returned fewer or more bytes) or
 *       vanished before it; what is stored is what was read, with the modification time of that
 *       version, and progress keeps its totals (a file left out is reported and leaves them): under
 *       the {@code changed-files} option ({@link dev.coffer.spi.support.ChangedFilesPolicy}) it is
 *       recorded as a {@link dev.coffer.BackupWarning.Kind#CHANGED_WHILE_READ} or {@code
 *       VANISHED_WHILE_READ} warning ({@code warn}, the default), read again first ({@code retry}),
 *       or fails the backup ({@code fail}). {@link dev.coffer.spi.support.ReadCheck} detects it;
 *       the TCK enforces the rule.
 *   <li><b>P35 Recipients</b> (with {@link dev.coffer.spi.Capability#RECIPIENTS}). A backup written
 *       with public keys only cannot be read with them: {@code restore} fails with {@link
 *       dev.coffer.WrongKeyException} and writes nothing to the target, and {@code verify} either
 *       fails so or reports 0 files and 0 bytes checked (it never claims content it cannot read);
 *       no planted plaintext is in any stored byte; with the matching private key (identity) the
 *       backup restores equal to the source and verifies every byte.
 * </ol>
 */
package dev.coffer.spi;
