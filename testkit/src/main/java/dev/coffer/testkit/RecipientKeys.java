package dev.coffer.testkit;

import java.util.Map;
import java.util.Objects;

/**
 * The options of one public/private key pair of a provider with {@link
 * dev.coffer.spi.Capability#RECIPIENTS}, declared by a conformance test through {@link
 * BackupProviderConformance#recipientKeys}: what a write-only host opens a repository with (public
 * keys only) and what a reader opens it with (the private key, its identity). Rule P35 backs up
 * with the first and checks that only the second reads. The suite cannot make a provider's keys.
 *
 * @param writeOnly the options of a host holding the public key only
 * @param reader the options of a reader holding the matching private key
 */
public record RecipientKeys(Map<String, String> writeOnly, Map<String, String> reader) {

  /**
   * Validates and copies the option maps.
   *
   * @param writeOnly as described on the record
   * @param reader as described on the record
   * @throws NullPointerException if either is null
   */
  public RecipientKeys {
    writeOnly = Map.copyOf(Objects.requireNonNull(writeOnly, "writeOnly"));
    reader = Map.copyOf(Objects.requireNonNull(reader, "reader"));
  }

  @Override
  public String toString() {
    return "RecipientKeys[options " + writeOnly.keySet() + " / " + reader.keySet() + "]";
  }
}
