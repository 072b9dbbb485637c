package dev.coffer.archive.v2;

import dev.coffer.archive.SecretBytes;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Whom a new archive's data key is wrapped for: a symmetric master key (a {@code symmetric} slot),
 * X25519 recipients (one {@code x25519} slot each), or both; at most 16 slots. A write-only host
 * holds only recipients. Immutable; holds the master key by reference, never prints it.
 */
public final class Recipients {

  static final int MAX_SLOTS = 16;

  private final SecretBytes masterKey;
  private final List<X25519Recipient> x25519;

  private Recipients(SecretBytes masterKey, List<X25519Recipient> x25519) {
    if (x25519.size() != new LinkedHashSet<>(x25519).size()) {
      throw new IllegalArgumentException("a recipient is named twice");
    }
    int slots = x25519.size() + (masterKey == null ? 0 : 1);
    if (slots < 1 || slots > MAX_SLOTS) {
      throw new IllegalArgumentException("an archive has 1 to 16 key slots, not " + slots);
    }
    if (masterKey != null && masterKey.length() != 32) {
      throw new IllegalArgumentException("a master key has 32 bytes");
    }
    this.masterKey = masterKey;
    this.x25519 = List.copyOf(x25519);
  }

  /**
   * One {@code symmetric} slot under {@code masterKey}.
   *
   * @param masterKey the repository's 32-byte master key
   * @return the recipients
   */
  public static Recipients symmetric(SecretBytes masterKey) {
    return new Recipients(Objects.requireNonNull(masterKey, "masterKey"), List.of());
  }

  /**
   * One {@code x25519} slot per recipient.
   *
   * @param recipients 1 to 16 distinct recipients
   * @return the recipients
   * @throws IllegalArgumentException if the list is empty, too long or names a recipient twice
   */
  public static Recipients x25519(List<X25519Recipient> recipients) {
    return new Recipients(null, recipients);
  }

  /**
   * These recipients plus a {@code symmetric} slot under {@code masterKey}.
   *
   * @param masterKey the repository's 32-byte master key
   * @return the combined recipients
   * @throws IllegalArgumentException if these already have a master key, or the slots would exceed
   *     16
   */
  public Recipients withSymmetric(SecretBytes masterKey) {
    if (this.masterKey != null) {
      throw new IllegalArgumentException("recipients hold one master key at most");
    }
    return new Recipients(Objects.requireNonNull(masterKey, "masterKey"), x25519);
  }

  Optional<SecretBytes> masterKey() {
    return Optional.ofNullable(masterKey);
  }

  List<X25519Recipient> x25519() {
    return x25519;
  }

  /** The fingerprints of the slots these recipients get, in slot order. */
  List<byte[]> fingerprints(java.util.UUID repositoryId) {
    List<byte[]> out = new ArrayList<>();
    if (masterKey != null) {
      out.add(SymmetricSlotKey.fingerprint(masterKey, repositoryId));
    }
    x25519.forEach(r -> out.add(r.fingerprint()));
    return out;
  }

  @Override
  public String toString() {
    return "Recipients[" + (masterKey == null ? "" : "symmetric, ") + x25519.size() + " x25519]";
  }
}
