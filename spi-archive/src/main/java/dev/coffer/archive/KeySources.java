package dev.coffer.archive;

import dev.coffer.spi.support.ProviderOptions;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.text.Normalizer;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;

/**
 * The key sources the {@code archive} provider's options name (a raw key or passphrase, inline or
 * in a file; the key files of format 2 through {@link #readSmall}), read at {@code open} only: a
 * listing of another provider's repository never loads this class.
 */
final class KeySources {

  private static final String NAME = ArchiveBackupProvider.NAME;

  private KeySources() {}

  /**
   * The key source the options name (at most one of key, key-file, passphrase, passphrase-file),
   * with the Argon2id parameters of new archives and the reader's ceiling.
   */
  static Keyring keyring(Path location, ProviderOptions o) {
    int sources = 0;
    for (String s : List.of("key", "key-file", "passphrase", "passphrase-file")) {
      sources += o.isSet(s) ? 1 : 0;
    }
    if (sources > 1) {
      throw new IllegalArgumentException(
          "options key, key-file, passphrase and passphrase-file of provider '"
              + NAME
              + "' are exclusive: give at most one");
    }
    Argon2Params argon2 = argon2(o);
    long maxMemory = o.getLong("argon2-max-memory-kib");
    Keyring keyring;
    if (o.isSet("key")) {
      keyring = Keyring.rawKey(parseHexKey(o.get("key").orElseThrow(), o, "key"));
    } else if (o.isSet("key-file")) {
      keyring = Keyring.rawKey(readKeyFile(location, o));
    } else if (o.isSet("passphrase")) {
      keyring =
          Keyring.passphrase(
              passphrase(o.get("passphrase").orElseThrow(), o, "passphrase"),
              argon2,
              maxMemory,
              Keyring.DEFAULT_MAX_ARGON2_ITERATIONS);
    } else if (o.isSet("passphrase-file")) {
      keyring =
          Keyring.passphrase(
              readPassphraseFile(location, o),
              argon2,
              maxMemory,
              Keyring.DEFAULT_MAX_ARGON2_ITERATIONS);
    } else {
      keyring = Keyring.none();
    }
    return keyring;
  }

  /** The Argon2id parameters the options give for new archives (or repositories). */
  static Argon2Params argon2(ProviderOptions o) {
    long m = o.getLong("argon2-memory-kib");
    long t = o.getLong("argon2-iterations");
    long p = o.getLong("argon2-parallelism");
    if (!Argon2Params.problem(m, t, p).isEmpty()) {
      throw o.invalid("argon2-memory-kib", "at least 8 KiB per lane");
    }
    return new Argon2Params((int) m, (int) t, (int) p);
  }

  static SecretBytes parseHexKey(String hex, ProviderOptions o, String option) {
    String h = hex.trim();
    if (h.length() != 64) {
      throw o.invalid(option, "expected 64 hex digits");
    }
    try {
      return new SecretBytes(HexFormat.of().parseHex(h));
    } catch (IllegalArgumentException e) {
      throw o.invalid(option, "expected 64 hex digits");
    }
  }

  private static SecretBytes readKeyFile(Path location, ProviderOptions o) {
    byte[] content = readSmall(location, o, "key-file");
    try {
      if (content.length == 32) {
        return new SecretBytes(content);
      }
      String text = new String(content, StandardCharsets.US_ASCII).strip();
      if (text.length() == 64) {
        try {
          return new SecretBytes(HexFormat.of().parseHex(text));
        } catch (IllegalArgumentException e) {
          // fall through to the error below, without echoing the content
        }
      }
      throw o.invalid("key-file", "the file must hold 32 raw bytes or 64 hex digits");
    } finally {
      Arrays.fill(content, (byte) 0);
    }
  }

  private static SecretBytes readPassphraseFile(Path location, ProviderOptions o) {
    byte[] content = readSmall(location, o, "passphrase-file");
    try {
      String s = new String(content, StandardCharsets.UTF_8);
      if (s.endsWith("\r\n")) {
        s = s.substring(0, s.length() - 2);
      } else if (s.endsWith("\n")) {
        s = s.substring(0, s.length() - 1);
      }
      return passphrase(s, o, "passphrase-file");
    } finally {
      Arrays.fill(content, (byte) 0);
    }
  }

  private static SecretBytes passphrase(String s, ProviderOptions o, String option) {
    if (s.isEmpty()) {
      throw o.invalid(option, "the passphrase must not be empty");
    }
    // NFC so that the same passphrase typed on different systems gives the same key
    return new SecretBytes(
        Normalizer.normalize(s, Normalizer.Form.NFC).getBytes(StandardCharsets.UTF_8));
  }

  static byte[] readSmall(Path location, ProviderOptions o, String option) {
    // resolved on the repository's file system, never on the default one by accident
    Path file = location.getFileSystem().getPath(o.get(option).orElseThrow());
    try {
      if (Files.size(file) > 65536) {
        throw o.invalid(option, "the file is larger than 64 KiB");
      }
      return Files.readAllBytes(file);
    } catch (IOException e) {
      throw o.invalid(option, "cannot read the file (" + e.getClass().getSimpleName() + ")");
    }
  }
}
