package dev.coffer.spi.support;

import static java.util.Objects.requireNonNull;

import dev.coffer.spi.OptionInfo;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.StringJoiner;
import java.util.stream.Collectors;

/**
 * Option values checked against a provider's {@link OptionInfo}s: every provider parses its options
 * with {@link #parse}, so unknown, missing and malformed options fail the same way everywhere (rule
 * P3), and no secret value reaches a message or {@link #toString()} (rule P4).
 *
 * <p>Instances are immutable and thread-safe.
 */
public final class ProviderOptions {

  private final String provider;
  private final Map<String, OptionInfo> declared;
  private final Map<String, String> values;

  private ProviderOptions(
      String provider, Map<String, OptionInfo> declared, Map<String, String> values) {
    this.provider = provider;
    this.declared = declared;
    this.values = values;
  }

  /**
   * Checks {@code given} against {@code declared}.
   *
   * @param provider the provider's name, for messages
   * @param declared the options the provider accepts
   * @param given the values the caller passed
   * @return the checked options
   * @throws IllegalArgumentException naming the first unknown option (and listing the known ones),
   *     the first missing required option, or the first value that is not of its option's declared
   *     type and range
   */
  public static ProviderOptions parse(
      String provider, List<OptionInfo> declared, Map<String, String> given) {
    requireNonNull(provider, "provider");
    requireNonNull(given, "options");
    Map<String, OptionInfo> byName = new LinkedHashMap<>();
    declared.forEach(o -> byName.put(o.name(), o));
    for (Map.Entry<String, String> e : given.entrySet()) {
      requireNonNull(e.getKey(), "option name");
      if (!byName.containsKey(e.getKey())) {
        throw new IllegalArgumentException(
            "unknown option '"
                + e.getKey()
                + "' for provider '"
                + provider
                + "'; known options: "
                + (byName.isEmpty() ? "(none)" : String.join(", ", byName.keySet())));
      }
      if (e.getValue() == null) {
        throw new IllegalArgumentException(
            "option '" + e.getKey() + "' of provider '" + provider + "' has no value");
      }
    }
    for (OptionInfo o : declared) {
      if (o.required() && !given.containsKey(o.name())) {
        throw new IllegalArgumentException(
            "missing required option '" + o.name() + "' for provider '" + provider + "'");
      }
    }
    ProviderOptions parsed = new ProviderOptions(provider, byName, Map.copyOf(given));
    for (Map.Entry<String, String> e :
        given.entrySet()) { // typed values fail here, not at first use
      OptionInfo o = byName.get(e.getKey());
      if (!o.accepts(e.getValue())) {
        throw parsed.invalid(
            o.name(),
            o.type() == OptionInfo.Type.BOOLEAN
                ? "expected true or false"
                : "expected a whole number from " + o.min() + " to " + o.max());
      }
    }
    return parsed;
  }

  /**
   * Returns an option's value, or its default.
   *
   * @param name a declared option's name
   * @return the value given, else the default, else empty
   * @throws IllegalArgumentException if the option is not declared
   */
  public Optional<String> get(String name) {
    OptionInfo info = info(name);
    String v = values.get(name);
    return Optional.ofNullable(v != null ? v : info.defaultValue());
  }

  /**
   * Whether the caller gave a value for the option (defaults do not count).
   *
   * @param name a declared option's name
   * @return true when given
   */
  public boolean isSet(String name) {
    info(name);
    return values.containsKey(name);
  }

  /**
   * Returns a {@link OptionInfo.Type#BOOLEAN BOOLEAN} option: the value given, else its declared
   * default.
   *
   * @param name a declared boolean option's name
   * @return the value
   * @throws IllegalArgumentException if the option is not declared as a boolean, or the value is
   *     neither {@code true} nor {@code false}
   */
  public boolean getBoolean(String name) {
    typed(name, OptionInfo.Type.BOOLEAN);
    return getBoolean(
        name, false); // a BOOLEAN option always has a value: given or its declared default
  }

  /**
   * Returns an {@link OptionInfo.Type#INTEGER INTEGER} option: the value given, else its declared
   * default, within its declared range.
   *
   * @param name a declared whole-number option's name
   * @return the value
   * @throws IllegalArgumentException if the option is not declared as a whole number, or the value
   *     is not a number within its range
   */
  public long getLong(String name) {
    OptionInfo info = typed(name, OptionInfo.Type.INTEGER);
    if (info.defaultValue() == null && !values.containsKey(name)) {
      throw new IllegalArgumentException(
          "option '" + name + "' of provider '" + provider + "' has no value");
    }
    return getLong(
        name, 0, info.min(), info.max()); // the fallback is unused: a value or default exists
  }

  private OptionInfo typed(String name, OptionInfo.Type type) {
    OptionInfo info = info(name);
    if (info.type() != type) {
      throw new IllegalArgumentException(
          "option '"
              + name
              + "' of provider '"
              + provider
              + "' is declared "
              + info.type()
              + ", not "
              + type);
    }
    return info;
  }

  /**
   * A boolean read with a fallback, for the typed getter. Package-private: a provider states its
   * default once, in its {@link OptionInfo}, instead of repeating it at every read.
   */
  boolean getBoolean(String name, boolean fallback) {
    Optional<String> v = get(name);
    if (v.isEmpty()) {
      return fallback;
    }
    if (v.get().equalsIgnoreCase("true")) {
      return true;
    }
    if (v.get().equalsIgnoreCase("false")) {
      return false;
    }
    throw invalid(name, "expected true or false");
  }

  /**
   * A whole number read with a fallback and bounds, for the typed getter; package-private as above.
   */
  long getLong(String name, long fallback, long min, long max) {
    Optional<String> v = get(name);
    if (v.isEmpty()) {
      return fallback;
    }
    long parsed;
    try {
      parsed = Long.parseLong(v.get().trim());
    } catch (NumberFormatException e) {
      throw invalid(name, "expected a whole number from " + min + " to " + max);
    }
    if (parsed < min || parsed > max) {
      throw invalid(name, "expected a whole number from " + min + " to " + max);
    }
    return parsed;
  }

  /**
   * Builds the exception for a malformed value: it names the option, and the value only if {@link
   * OptionInfo#valueWithheld()} allows it.
   *
   * @param name a declared option's name
   * @param expectation what a valid value looks like
   * @return the exception, for the caller to throw
   */
  public IllegalArgumentException invalid(String name, String expectation) {
    OptionInfo info = info(name);
    String shown =
        info.valueWithheld()
            ? "(value withheld)"
            : "'" + values.getOrDefault(name, info.defaultValue()) + "'";
    return new IllegalArgumentException(
        "invalid value "
            + shown
            + " for option '"
            + name
            + "' of provider '"
            + provider
            + "': "
            + expectation);
  }

  private OptionInfo info(String name) {
    OptionInfo info = declared.get(name);
    if (info == null) {
      throw new IllegalArgumentException(
          "option '" + name + "' is not declared by provider '" + provider + "'");
    }
    return info;
  }

  /** Lists the options given, with secret values redacted. */
  @Override
  public String toString() {
    StringJoiner j = new StringJoiner(", ", provider + "{", "}");
    values.keySet().stream()
        .sorted()
        .collect(Collectors.toList())
        .forEach(k -> j.add(k + "=" + (declared.get(k).secret() ? "***" : values.get(k))));
    return j.toString();
  }
}
