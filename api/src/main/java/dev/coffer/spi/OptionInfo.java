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
 * @param secret whether the value is secret (a key or passphrase): it is never printed, logged, put
 *     in an exception message or accepted in a repository URL
 * @param type what the value is: text, a boolean or a whole number; the default is of that type
 * @param min the smallest value an {@link Type#INTEGER INTEGER} option accepts ({@link
 *     Long#MIN_VALUE} for others)
 * @param max the largest value an {@link Type#INTEGER INTEGER} option accepts ({@link
 *     Long#MAX_VALUE} for others)
 */
public record OptionInfo(
    String name,
    String description,
    boolean required,
    String defaultValue,
    boolean secret,
    OptionInfo.Type type,
    long min,
    long max) {

  /**
   * What an option's value is; {@code ProviderOptions} reads typed options with their declared
   * default.
   */
  public enum Type {
    /** Any text, such as a path or a mode name. */
    TEXT,
    /** {@code true} or {@code false}, in any case. */
    BOOLEAN,
    /** A whole number from {@link OptionInfo#min()} to {@link OptionInfo#max()}. */
    INTEGER
  }

  private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9-]*");

  /**
   * Validates the components.
   *
   * @param name as described on the record
   * @param description as described on the record
   * @param required as described on the record
   * @param defaultValue as described on the record
   * @param secret as described on the record
   * @param type as described on the record
   * @param min as described on the record
   * @param max as described on the record
   * @throws IllegalArgumentException if the name is malformed, a required or secret option has a
   *     default value, or the default is not a value of the option's type and range
   */
  public OptionInfo {
    requireNonNull(name, "name");
    requireNonNull(description, "description");
    requireNonNull(type, "type");
    if (min > max) {
      throw new IllegalArgumentException(
          "option '" + name + "' has min " + min + " above max " + max);
    }
    if (defaultValue != null && !accepts(type, min, max, defaultValue)) {
      throw new IllegalArgumentException(
          "default '"
              + defaultValue
              + "' of option '"
              + name
              + "' is not a "
              + type
              + " value"
              + (type == Type.INTEGER ? " from " + min + " to " + max : ""));
    }
    if (!NAME.matcher(name).matches()) {
      throw new IllegalArgumentException("malformed option name '" + name + "'");
    }
    if ((required || secret) && defaultValue != null) {
      throw new IllegalArgumentException(
          "required or secret option '" + name + "' cannot have a default");
    }
  }

  /**
   * A text option without type or range, as options were before they had types.
   *
   * @param name as described on the record
   * @param description as described on the record
   * @param required as described on the record
   * @param defaultValue as described on the record
   * @param secret as described on the record
   * @throws IllegalArgumentException as for the canonical constructor
   */
  public OptionInfo(
      String name, String description, boolean required, String defaultValue, boolean secret) {
    this(
        name,
        description,
        required,
        defaultValue,
        secret,
        Type.TEXT,
        Long.MIN_VALUE,
        Long.MAX_VALUE);
  }

  /**
   * An optional boolean option with its default, stated once: {@code
   * ProviderOptions.getBoolean(name)} reads it.
   *
   * @param name the name
   * @param description what it does
   * @param defaultValue its value when not given
   * @return the description
   */
  public static OptionInfo flag(String name, String description, boolean defaultValue) {
    return new OptionInfo(
        name,
        description,
        false,
        Boolean.toString(defaultValue),
        false,
        Type.BOOLEAN,
        Long.MIN_VALUE,
        Long.MAX_VALUE);
  }

  /**
   * An optional whole-number option with its default and range, stated once: {@code
   * ProviderOptions.getLong(name)} reads it.
   *
   * @param name the name
   * @param description what it does
   * @param defaultValue its value when not given
   * @param min the smallest accepted value
   * @param max the largest accepted value
   * @return the description
   * @throws IllegalArgumentException if the default is outside the range
   */
  public static OptionInfo integer(
      String name, String description, long defaultValue, long min, long max) {
    return new OptionInfo(
        name, description, false, Long.toString(defaultValue), false, Type.INTEGER, min, max);
  }

  /**
   * Whether {@code value} is a value of this option's type and range (text always is).
   *
   * @param value a candidate value
   * @return true when the option accepts it
   */
  public boolean accepts(String value) {
    return accepts(type, min, max, requireNonNull(value, "value"));
  }

  private static boolean accepts(Type type, long min, long max, String value) {
    switch (type) {
      case BOOLEAN:
        return value.equalsIgnoreCase("true") || value.equalsIgnoreCase("false");
      case INTEGER:
        try {
          long v = Long.parseLong(value.trim());
          return v >= min && v <= max;
        } catch (NumberFormatException e) {
          return false;
        }
      default:
        return true;
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
   * Whether messages must withhold this option's value: a secret's value, and the value of an
   * option whose name ends in {@code -file} (such as {@code key-file}), because a user may paste
   * the secret itself where its file's path belongs (rule P4).
   *
   * @return true when the value is never shown
   */
  public boolean valueWithheld() {
    return secret || name.endsWith("-file");
  }
}
