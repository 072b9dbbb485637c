package dev.coffer.cli;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** Lower-case option values that name an enum constant ({@code --owners preserve}). */
final class Choices {

  private Choices() {}

  /**
   * The constant of {@code type} named {@code value} in any case; a usage error naming the choices
   * otherwise.
   */
  static <E extends Enum<E>> E parse(String option, String value, Class<E> type) {
    for (E e : type.getEnumConstants()) {
      if (e.name().equalsIgnoreCase(value)) {
        return e;
      }
    }
    throw new IllegalArgumentException(
        "invalid value for "
            + option
            + ": '"
            + value
            + "' (expected one of "
            + Arrays.stream(type.getEnumConstants())
                .map(e -> e.name().toLowerCase(Locale.ROOT))
                .collect(Collectors.joining(", "))
            + ")");
  }
}
