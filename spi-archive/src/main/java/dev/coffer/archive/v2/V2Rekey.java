package dev.coffer.archive.v2;

import dev.coffer.BackupMetadata;
import dev.coffer.CorruptBackupException;
import dev.coffer.RekeyReport;
import dev.coffer.WrongKeyException;
import dev.coffer.archive.SecretBytes;
import dev.coffer.store.ObjectInfo;
import dev.coffer.store.ObjectStore;
import dev.coffer.store.WriteMode;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.NoSuchFileException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * Key rotation of a format-2 repository ({@link V2Repository#rekey}): re-wraps every archive's data
 * key to the new keys, writing only commit objects (and, in an encrypted repository, the small
 * {@code meta/} objects sealed under the master key), never data or manifests. The order:
 *
 * <ol>
 *   <li>{@code coffer-rekey} ({@link RekeyState}) records the target config and the previous master
 *       sealed under the new one: from here the new keys open the repository and, through the
 *       previous master, every archive not yet rekeyed; the old keys still open it.
 *   <li>per archive, the commit with new slots replaces the old (one atomic write), then its {@code
 *       meta/} object sealed under the new metadata key: before the first write the old keys open
 *       it, after it the new ones (the new key holder reads a not yet resealed {@code meta/} object
 *       with the previous master);
 *   <li>the listing is repeated until it shows no archive not yet seen (backups committed
 *       meanwhile);
 *   <li>{@code coffer-repository} is replaced by the target config: the old keys open nothing now;
 *   <li>{@code coffer-rekey} is removed.
 * </ol>
 *
 * A crash anywhere leaves every archive openable with the old keys or the new ones; a second call
 * with the same new keys (on a repository opened with either) skips what is done, by slot
 * fingerprints and by which key opens the {@code meta/} object. Mode changes (a key to recipients
 * or back) are refused.
 */
final class V2Rekey {

  private static final System.Logger LOG = System.getLogger("dev.coffer.archive");
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final int MAX_PASSES = 8;
  private static final int WORKERS = 8;

  private final V2Repository repo;
  private final RepositoryConfig config;
  private final ObjectStore store;
  private final UUID id;
  private final AtomicLong backups = new AtomicLong();
  private final AtomicLong rekeyed = new AtomicLong();
  private final AtomicLong skipped = new AtomicLong();
  private final AtomicLong written = new AtomicLong();

  V2Rekey(V2Repository repo, RepositoryConfig config) {
    this.repo = repo;
    this.config = config;
    this.store = repo.store;
    this.id = config.repositoryId();
  }

  RekeyReport run(V2Settings next, Consumer<RekeyReport> progress) throws IOException {
    boolean symmetric = config.master() != null;
    if (symmetric != (next.keys != null) || !next.identities.isEmpty()) {
      throw new IllegalArgumentException(
          "rekey of repository "
              + repo.where
              + " keeps its mode ("
              + (symmetric ? "encrypted: give key, key-file, passphrase or passphrase-file" : "")
              + (symmetric ? "" : "recipients: give recipient or recipients-file")
              + "); to change the mode, back up to a new repository");
    }
    byte[] current = RekeyState.currentConfig(store);
    RekeyState.Pending pending = RekeyState.read(store, repo.where);
    byte[] target = pending == null ? RepositoryConfig.create(next, id) : pending.config();
    RepositoryConfig to;
    try {
      to =
          RepositoryConfig.check(
              RepositoryConfig.parse(target, repo.where), repo.where, next, null);
    } catch (WrongKeyException other) {
      throw new IllegalArgumentException(
          "repository "
              + repo.where
              + " has an unfinished rekey to other keys (object "
              + RekeyState.KEY
              + "): give the same new keys again to finish it first");
    }
    SecretBytes old = config.previous() != null ? config.previous() : config.master();
    Identities opener = symmetric ? Identities.symmetric(to.master()) : openers();
    if (symmetric && old != null) {
      opener = opener.withPrevious(old);
    }
    if (pending == null) {
      byte[] previous =
          symmetric ? RekeyState.sealPrevious(old, to.master(), id, RANDOM) : new byte[0];
      write(RekeyState.KEY, RekeyState.encode(target, previous), WriteMode.IF_ABSENT);
      RekeyState.Pending raced = RekeyState.read(store, repo.where);
      if (raced == null || !Arrays.equals(raced.config(), target)) {
        throw new IllegalStateException(
            "another rekey of repository "
                + repo.where
                + " started at the same time: run one only");
      }
    }
    Recipients wrapTo =
        symmetric ? Recipients.symmetric(to.master()) : Recipients.x25519(to.recipients());
    SecretBytes newMeta = symmetric ? V2Metadata.key(to.master(), id) : null;
    SecretBytes oldMeta = symmetric && old != null ? V2Metadata.key(old, id) : null;
    Set<String> seen = new HashSet<>();
    for (int pass = 0; pass < MAX_PASSES; pass++) {
      List<String> fresh = new ArrayList<>();
      for (ObjectInfo o : store.list(repo.layout().commits())) {
        String backupId = o.key().substring(repo.layout().commits().length());
        if (CommitStatement.validBackupId(backupId) && seen.add(backupId)) {
          fresh.add(backupId);
        }
      }
      if (fresh.isEmpty()) {
        break;
      }
      backups.addAndGet(fresh.size());
      Identities o = opener;
      inParallel(
          fresh,
          backupId -> {
            rekey(backupId, o, wrapTo, newMeta, oldMeta);
            synchronized (progress) {
              progress.accept(report());
            }
          });
    }
    if (!Arrays.equals(current, target)) {
      write(RepositoryConfig.KEY, target, WriteMode.REPLACE);
    }
    store.delete(RekeyState.KEY);
    return report();
  }

  private Identities openers() throws WrongKeyException {
    if (repo.settings.identities.isEmpty()) {
      throw new WrongKeyException(
          "rekey of write-only repository " + repo.where + " needs option identity-file");
    }
    return Identities.x25519(repo.settings.identities);
  }

  private void rekey(
      String backupId, Identities opener, Recipients to, SecretBytes newMeta, SecretBytes oldMeta)
      throws IOException {
    try {
      CommitObject commit = repo.reader().commit(backupId);
      boolean commitDone = commit.wrappedFor(to);
      byte[] meta = newMeta == null ? null : readMeta(backupId);
      V2Summary summary = V2Summary.decode(commit.statement().summary(), backupId);
      UUID archiveId = commit.statement().archiveId();
      boolean metaDone = newMeta == null || opens(newMeta, archiveId, summary, meta);
      if (commitDone && metaDone) {
        skipped.incrementAndGet();
        return;
      }
      if (!commitDone) {
        write(
            repo.layout().commit(backupId),
            commit.rekey(opener, to, RANDOM).encode(),
            WriteMode.REPLACE);
      }
      if (!metaDone) {
        if (oldMeta == null) {
          throw new CorruptBackupException(
              "metadata object of backup " + backupId + " opens with no key given", null);
        }
        BackupMetadata m = V2Metadata.open(oldMeta, id, archiveId, summary, meta);
        write(
            repo.layout().meta(backupId),
            V2Metadata.seal(newMeta, id, archiveId, m),
            WriteMode.REPLACE);
      }
      rekeyed.incrementAndGet();
    } catch (NoSuchFileException deleted) {
      backups.decrementAndGet(); // deleted meanwhile
    } catch (WrongKeyException e) {
      throw new WrongKeyException(
          "rekey of repository "
              + repo.where
              + " stopped: backup "
              + backupId
              + " does not open with the keys it was opened with ("
              + e.getMessage()
              + "); every backup still opens with the old keys or the new ones, and a rerun "
              + "resumes");
    } catch (CorruptBackupException damaged) {
      // verify reports it; a damaged backup opened with neither key before the rekey either
      LOG.log(
          System.Logger.Level.WARNING,
          "backup {0} left as it was by the rekey: {1}",
          backupId,
          damaged.getMessage());
    }
  }

  private byte[] readMeta(String backupId) throws IOException {
    try (InputStream in = store.read(repo.layout().meta(backupId), 0, V2Metadata.MAX_BYTES + 1)) {
      return in.readNBytes(V2Metadata.MAX_BYTES + 1);
    }
  }

  private boolean opens(SecretBytes key, UUID archiveId, V2Summary summary, byte[] meta) {
    try {
      V2Metadata.open(key, id, archiveId, summary, meta);
      return true;
    } catch (CorruptBackupException notYet) {
      return false;
    }
  }

  private void write(String key, byte[] bytes, WriteMode mode) throws IOException {
    try {
      written.addAndGet(store.write(key, new ByteArrayInputStream(bytes), mode));
    } catch (FileAlreadyExistsException raced) {
      // another rekey wrote the same object first; it is checked again by this rekey's reads
    }
  }

  private RekeyReport report() {
    return new RekeyReport(backups.get(), rekeyed.get(), skipped.get(), written.get());
  }

  private interface Step {
    void run(String backupId) throws IOException;
  }

  /**
   * Runs {@code step} for every id on {@value #WORKERS} threads (each archive's writes are small
   * and wait for the disk or the network, and archives are independent); the first failure stops
   * the rest and is thrown once every started step has ended.
   */
  private static void inParallel(List<String> ids, Step step) throws IOException {
    ExecutorService pool = Executors.newFixedThreadPool(Math.min(WORKERS, ids.size()));
    try {
      List<Future<?>> running = new ArrayList<>();
      for (String id : ids) {
        running.add(
            pool.submit(
                () -> {
                  step.run(id);
                  return null;
                }));
      }
      for (Future<?> f : running) {
        try {
          f.get();
        } catch (ExecutionException e) {
          pool.shutdownNow();
          awaitEnd(pool);
          Throwable cause = e.getCause();
          if (cause instanceof IOException io) {
            throw io;
          }
          if (cause instanceof RuntimeException r) {
            throw r;
          }
          throw new IOException("rekey failed", cause);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          pool.shutdownNow();
          throw new java.io.InterruptedIOException("rekey interrupted");
        }
      }
    } finally {
      pool.shutdownNow();
    }
  }

  private static void awaitEnd(ExecutorService pool) {
    try {
      pool.awaitTermination(1, TimeUnit.MINUTES);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
