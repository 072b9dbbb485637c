package dev.coffer.spi;

import static java.util.Objects.requireNonNull;

import java.util.regex.Pattern;

/**
 * Describes one option a provider accepts, so tools can list and check options without knowing the
 * provider (like {@code java.sql.DriverPropertyInfo}).
 *
 * @param name the option's name, lowercase with dashes ({@code key-file})
 * @param description one line saying what it does
 * @param required whether {@code open} fails without it
 * @param defaultValue the value used when it is absent, or {@code null} for none
 * @param secret whether the value is secret (a key or passphrase): it is never printed, logged, put in an
 *     exception message or accepted in a repository URL
 */
public record OptionInfo(String name, String description, boolean required, String defaultValue, boolean secret) {

  private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9-]*");

  /**
   * Validates the components.
   *
   * @param name as described on the record
   * @param description as described on the record
   * @param required as described on the record
   * @param defaultValue as described on the record
   * @param secret as described on the record
   * @throws IllegalArgumentException if the name is malformed, or a required or secret option has a
   *     default value
   */
  public OptionInfo {
    requireNonNull(name, "name");
    requireNonNull(description, "description");
    if (!NAME.matcher(name).matches()) {
      throw new IllegalArgumentException("malformed option name '" + name + "'");
    }
    if ((required || secret) && defaultValue != null) {
      throw new IllegalArgumentException("required or secret option '" + name + "' cannot have a default");
    }
  }

  /**
   * An optional, non-secret option.
   *
   * @param name the name
   * @param description what it does
   * @param defaultValue its default, or {@code null}
   * @return the description
   */
  public static OptionInfo optional(String name, String description, String defaultValue) {
    return new OptionInfo(name, description, false, defaultValue, false);
  }

  /**
   * A required, non-secret option.
   *
   * @param name the name
   * @param description what it does
   * @return the description
   */
  public static OptionInfo required(String name, String description) {
    return new OptionInfo(name, description, true, null, false);
  }

  /**
   * An optional secret option (a key or passphrase).
   *
   * @param name the name
   * @param description what it does
   * @return the description
   */
  public static OptionInfo secret(String name, String description) {
    return new OptionInfo(name, description, false, null, true);
  }

  /**
   * Whether messages must withhold this option's value: a secret's value, and the value of an option whose
   * name ends in {@code -file} (such as {@code key-file}), because a user may paste the secret itself where
   * its file's path belongs (rule P4).
   *
   * @return true when the value is never shown
   */
  public boolean valueWithheld() {
    return secret || name.endsWith("-file");
  }
}
