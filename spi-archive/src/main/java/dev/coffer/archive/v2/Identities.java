package dev.coffer.archive.v2;

import dev.coffer.archive.SecretBytes;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The keys a reader holds to open an archive's data key: a symmetric master key, X25519 identities,
 * or both. Immutable; never prints a key.
 */
public final class Identities {

  private final SecretBytes masterKey;
  private final List<X25519Identity> x25519;
  private final SecretBytes previousMaster;

  private Identities(SecretBytes masterKey, List<X25519Identity> x25519) {
    this(masterKey, x25519, null);
  }

  private Identities(
      SecretBytes masterKey, List<X25519Identity> x25519, SecretBytes previousMaster) {
    if (masterKey == null && x25519.isEmpty()) {
      throw new IllegalArgumentException("no key to open an archive with");
    }
    this.masterKey = masterKey;
    this.x25519 = List.copyOf(x25519);
    this.previousMaster = previousMaster;
  }

  /**
   * These identities plus the master key a repository had before an unfinished rekey, so that the
   * archives not yet rekeyed open too.
   *
   * @param previous the previous 32-byte master key
   * @return the combined identities
   */
  public Identities withPrevious(SecretBytes previous) {
    return new Identities(masterKey, x25519, Objects.requireNonNull(previous, "previous"));
  }

  /** The master key before an unfinished rekey, if any. */
  Optional<SecretBytes> previousMaster() {
    return Optional.ofNullable(previousMaster);
  }

  /**
   * A reader with the repository's master key.
   *
   * @param masterKey the 32-byte master key
   * @return the identities
   */
  public static Identities symmetric(SecretBytes masterKey) {
    return new Identities(Objects.requireNonNull(masterKey, "masterKey"), List.of());
  }

  /**
   * A reader with X25519 identities (identity files).
   *
   * @param identities one or more identities
   * @return the identities
   * @throws IllegalArgumentException if the list is empty
   */
  public static Identities x25519(List<X25519Identity> identities) {
    return new Identities(null, identities);
  }

  /**
   * These identities plus a master key.
   *
   * @param masterKey the 32-byte master key
   * @return the combined identities
   */
  public Identities withSymmetric(SecretBytes masterKey) {
    return new Identities(Objects.requireNonNull(masterKey, "masterKey"), x25519, previousMaster);
  }

  Optional<SecretBytes> masterKey() {
    return Optional.ofNullable(masterKey);
  }

  List<X25519Identity> x25519() {
    return x25519;
  }

  @Override
  public String toString() {
    return "Identities["
        + (masterKey == null ? "" : "symmetric, ")
        + x25519.size()
        + " x25519, redacted]";
  }
}
