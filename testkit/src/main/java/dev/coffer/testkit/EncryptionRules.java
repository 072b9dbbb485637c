package dev.coffer.testkit;

import dev.coffer.BackupMetadata;
import dev.coffer.BackupRepository;
import dev.coffer.WrongKeyException;
import dev.coffer.spi.Capability;
import dev.coffer.spi.OptionInfo;
import dev.coffer.testkit.BackupProviderConformance.Fs;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;

/**
 * Rules P25 and P26 of the provider contract: no planted plaintext in stored bytes, wrong keys
 * refused before anything is written, and compressible data stored smaller; and the keys of the
 * wrong length or alphabet that P3 and P4 refuse at open (forms declared by the provider's test).
 */
final class EncryptionRules extends ConformanceEnvironment {

  EncryptionRules(ConformanceEnvironment env) {
    super(env);
  }

  void p25_encryptionCapability_noPlantedPlaintextInStoredBytes(Fs fs) throws Exception {
    Assumptions.assumeTrue(
        capabilities.contains(Capability.ENCRYPTION),
        "no ENCRYPTION capability: nothing to refuse");
    Path root = root(fs);
    Path source = smallTree(root.resolve("src"));
    String marker = "CofferTckPlaintextMarker" + Long.toHexString(seed);
    String nameMarker = "coffertckname" + Long.toHexString(seed & 0xffffff);
    String dirMarker = "coffertckdir" + Long.toHexString(seed & 0xffffff);
    Files.writeString(source.resolve(nameMarker + ".txt"), (marker + "\n").repeat(50));
    Files.createDirectories(source.resolve(dirMarker).resolve("empty-" + dirMarker));
    Files.writeString(source.resolve(dirMarker).resolve("inner.txt"), "inner");
    BackupRepository repo = open(root.resolve("repo"));
    repo.backup(source);
    for (Map.Entry<String, Snapshot.Entry> e :
        Snapshot.of(root.resolve("repo")).entries().entrySet()) {
      check(
          !e.getKey().contains(nameMarker) && !e.getKey().contains(dirMarker),
          "P25",
          () -> "a stored name reveals a source file or directory name: " + e.getKey());
      byte[] bytes = e.getValue().bytes();
      if (bytes != null) {
        for (String needle : List.of(marker, nameMarker, dirMarker)) {
          check(
              indexOf(bytes, needle.getBytes(StandardCharsets.UTF_8)) < 0
                  && indexOf(bytes, needle.getBytes(StandardCharsets.UTF_16LE)) < 0,
              "P25",
              () ->
                  "stored file " + e.getKey() + " contains the planted plaintext '" + needle + "'");
        }
      }
    }
  }

  void p25_encryptionCapability_wrongKeyFailsBeforeAnythingIsWritten(Fs fs) throws Exception {
    Assumptions.assumeTrue(
        capabilities.contains(Capability.ENCRYPTION),
        "no ENCRYPTION capability: nothing to refuse");
    Map<String, String> wrong = new LinkedHashMap<>(options());
    boolean changed = false;
    for (OptionInfo o : provider.options()) {
      String v = wrong.get(o.name());
      if (o.secret() && v != null && !v.isEmpty()) {
        wrong.put(o.name(), otherValueLike(v));
        changed = true;
      }
    }
    Assumptions.assumeTrue(
        changed, "P25 wrong key not exercised: options() gives no secret option a value");
    Path root = root(fs);
    Path location = root.resolve("repo");
    BackupRepository repo = open(location);
    BackupMetadata b = repo.backup(smallTree(root.resolve("src")));
    repo.close();
    Snapshot before = Snapshot.of(root);
    BackupRepository other;
    try {
      other = openChecked(location, provider(), wrong);
    } catch (WrongKeyException | IllegalArgumentException refusedAtOpen) {
      unchanged("P25", "an open with a wrong key", before, root);
      return;
    }
    expect(
        WrongKeyException.class,
        "P25",
        "restore with a wrong key",
        () -> other.restore(b.id(), root.resolve("t")));
    unchanged("P25", "a restore with a wrong key", before, root);
    // the writer side: a backup with a wrong key into an existing encrypted repository is refused
    Path source = smallTree(root.resolve("src2"));
    Snapshot beforeBackup = Snapshot.of(location);
    expect(
        WrongKeyException.class,
        "P25",
        "a backup with a wrong key into an existing encrypted repository",
        () -> other.backup(source));
    unchanged("P25", "a refused backup with a wrong key", beforeBackup, location);
  }

  void p26_compressionCapability_compressibleDataIsStoredSmaller(Fs fs) throws Exception {
    Assumptions.assumeTrue(
        capabilities.contains(Capability.COMPRESSION),
        "no COMPRESSION capability: nothing to refuse");
    Path root = root(fs);
    Path source = Files.createDirectories(root.resolve("src"));
    gen.file(source.resolve("table.dat"), 1 << 20, true);
    Files.write(source.resolve("zeros.dat"), new byte[1 << 19]);
    BackupRepository repo = open(root.resolve("repo"));
    BackupMetadata b = repo.backup(source);
    long size = repo.storedBytes(b.id());
    check(
        size < b.totalBytes(),
        "P26",
        () ->
            "size(id) is " + size + " bytes for " + b.totalBytes() + " bytes of compressible data");
    // one large compressible file alone: a provider that stores (or counts) large files raw would
    // hide them above behind the small file's savings
    Path large = Files.createDirectories(root.resolve("large"));
    gen.file(large.resolve("table.dat"), 1 << 20, true);
    BackupMetadata l = repo.backup(large);
    long largeSize = repo.storedBytes(l.id());
    check(
        largeSize < l.totalBytes(),
        "P26",
        () ->
            "size(id) is "
                + largeSize
                + " bytes for a backup of one compressible file of "
                + l.totalBytes()
                + " bytes");
  }

  void p03_keyOfTheWrongLengthOrAlphabet_isRefusedAtOpen_andWritesNothing(Fs fs) throws Exception {
    for (MalformedKeyOpen o : openWithMalformedKeys(fs)) {
      check(
          o.refusal != null,
          "P3",
          () ->
              "open of "
                  + o.where
                  + " with option '"
                  + o.option
                  + "' set to "
                  + o.what
                  + " did not throw IllegalArgumentException"
                  + (o.other == null ? " (it opened)" : " but " + o.other.getClass().getName()));
      check(
          o.before.sameAs(o.after),
          "P3",
          () ->
              "a refused open of "
                  + o.where
                  + " with "
                  + o.what
                  + " for option '"
                  + o.option
                  + "' changed the file system:"
                  + o.before.differences(o.after));
    }
  }

  void p04_aRefusedKeyOfTheWrongLengthOrAlphabet_isNotEchoed(Fs fs) throws Exception {
    for (MalformedKeyOpen o : openWithMalformedKeys(fs)) {
      Throwable t = o.refusal != null ? o.refusal : o.other;
      for (Throwable c = t; c != null; c = c.getCause()) {
        String message = String.valueOf(c.getMessage());
        check(
            !message.contains(o.value),
            "P4",
            () ->
                "the refusal of "
                    + o.what
                    + " for option '"
                    + o.option
                    + "' echoes the value: "
                    + message.replace(o.value, "<the value>"));
      }
    }
  }

  /** One open with a malformed key: what was tried where, and what open did. */
  private static final class MalformedKeyOpen {
    String option;
    String value;
    String what;
    String where;
    IllegalArgumentException refusal;
    Exception other;
    Snapshot before;
    Snapshot after;
  }

  /**
   * Opens an absent location and an existing repository with each malformed value of each declared
   * key form, recording the outcome and the file system before and after.
   */
  private List<MalformedKeyOpen> openWithMalformedKeys(Fs fs) throws Exception {
    Map<String, KeyForm> forms = keyForms();
    Assumptions.assumeFalse(
        forms.isEmpty(),
        "no key form declared (keyForms()): the suite cannot guess the length of a key");
    Path root = root(fs);
    Path existing = root.resolve("repo");
    Path source = smallTree(root.resolve("src"));
    BackupRepository repo = open(existing);
    setUp("a backup", () -> repo.backup(source));
    List<MalformedKeyOpen> out = new ArrayList<>();
    for (Map.Entry<String, KeyForm> f : forms.entrySet()) {
      for (String v : f.getValue().malformed()) {
        Map<String, String> opts = new LinkedHashMap<>(options());
        opts.put(f.getKey(), v);
        for (Path location : List.of(root.resolve("absent"), existing)) {
          MalformedKeyOpen o = new MalformedKeyOpen();
          o.option = f.getKey();
          o.value = v;
          o.what = "a value of " + v.length() + " characters (expected a " + f.getValue() + ")";
          o.where = location.equals(existing) ? "an existing repository" : "an absent location";
          o.before = Snapshot.of(root);
          try {
            openAt(provider(), location, opts).close();
          } catch (IllegalArgumentException e) {
            o.refusal = e;
          } catch (IOException | RuntimeException e) {
            o.other = e;
          }
          o.after = Snapshot.of(root);
          out.add(o);
        }
      }
    }
    return out;
  }

  /** A value of the same length and alphabet as {@code v} but different (for a wrong key). */
  static String otherValueLike(String v) {
    char[] c = v.toCharArray();
    int i = c.length / 2;
    char x = c[i];
    if (Character.isDigit(x)) {
      c[i] = x == '0' ? '1' : '0';
    } else if (Character.isLetter(x)) {
      c[i] = (x == 'a' || x == 'A') ? (char) (x + 1) : (char) (x - 1);
    } else {
      i = 0;
      c[0] = c[0] == 'A' ? 'B' : 'A';
    }
    return new String(c);
  }
}
