package dev.coffer;

import static java.util.Objects.requireNonNull;

import java.util.regex.Pattern;

/**
 * The id of one backup in its repository, checked once when it is made: 1 to 128 characters of
 * ASCII letters, digits, {@code _}, {@code .} and {@code -}, starting with a letter or digit. Ids
 * double as file names in many providers, so the syntax admits no separators, no {@code .} or
 * {@code ..}, nothing to escape; a provider given a {@code BackupId} never has to check it again.
 *
 * <p>Text from outside (a command line, a host's configuration) becomes an id through {@link #of},
 * which refuses a malformed id with an {@link IllegalArgumentException} naming it. {@link
 * #toString()} is the id itself, so an id reads naturally in messages.
 *
 * <pre>{@code
 * repo.restore(BackupId.of(args[0]), Path.of("/tmp/restored"));
 * }</pre>
 *
 * @param value the id's text
 */
public record BackupId(String value) implements Comparable<BackupId> {

  private static final Pattern VALID = Pattern.compile("[0-9A-Za-z][0-9A-Za-z_.-]{0,127}");

  /**
   * How much of a malformed id a message repeats: enough to recognise it, not a whole pasted file.
   */
  private static final int SHOWN = 140;

  /**
   * Checks the syntax.
   *
   * @param value as described on the record
   * @throws NullPointerException if {@code value} is null
   * @throws IllegalArgumentException if {@code value} is not a well-formed id
   */
  public BackupId {
    requireNonNull(value, "backup id");
    if (!isValid(value)) {
      String shown = value.length() > SHOWN ? value.substring(0, SHOWN) + "..." : value;
      throw new IllegalArgumentException(
          "malformed backup id '"
              + shown
              + "': an id is 1 to 128 ASCII letters, "
              + "digits, '_', '.' and '-', starting with a letter or digit");
    }
  }

  /**
   * Returns the id {@code value} names.
   *
   * @param value the id's text
   * @return the id
   * @throws NullPointerException if {@code value} is null
   * @throws IllegalArgumentException if {@code value} is not a well-formed id
   */
  public static BackupId of(String value) {
    return new BackupId(value);
  }

  /**
   * Whether {@code value} has the syntax of a backup id, for code that reads candidate ids (file
   * names in a repository, fields of stored metadata) and skips the malformed ones instead of
   * failing.
   *
   * @param value a candidate id, possibly null
   * @return true when {@link #of} accepts it
   */
  public static boolean isValid(String value) {
    return value != null && VALID.matcher(value).matches();
  }

  /**
   * Orders ids by their text ({@link String#compareTo}); version-7 UUIDs, the ids Coffer's
   * providers make, sort by creation time this way.
   *
   * @param other the other id
   * @return as {@link Comparable#compareTo}
   */
  @Override
  public int compareTo(BackupId other) {
    return value.compareTo(other.value);
  }

  /**
   * Returns the id's text.
   *
   * @return {@link #value()}
   */
  @Override
  public String toString() {
    return value;
  }
}
