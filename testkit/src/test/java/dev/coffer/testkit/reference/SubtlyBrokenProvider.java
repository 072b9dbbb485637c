package dev.coffer.testkit.reference;

import dev.coffer.spi.OptionInfo;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The reference provider broken in one narrow case, chosen by its required option {@code broken} (a
 * name of {@link ReferenceProvider.Broken}): the self-test that measures how well the suite catches
 * subtle bugs.
 */
public final class SubtlyBrokenProvider extends ReferenceProvider {

  static final String BROKEN = "broken";

  /** Creates the provider; does no I/O. */
  public SubtlyBrokenProvider() {}

  @Override
  public String name() {
    return "tck-subtly-broken";
  }

  @Override
  public List<OptionInfo> options() {
    List<OptionInfo> all = new ArrayList<>(super.options());
    all.add(
        OptionInfo.required(BROKEN, "the rule to break, as a name of ReferenceProvider.Broken"));
    return List.copyOf(all);
  }

  @Override
  Broken broken(Map<String, String> options) {
    String name = options.get(BROKEN);
    if (name == null) {
      throw new IllegalArgumentException(
          "provider '" + name() + "' requires option '" + BROKEN + "'");
    }
    try {
      return Broken.valueOf(name.toUpperCase(Locale.ROOT).replace('-', '_'));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "invalid value for option '"
              + BROKEN
              + "' of provider '"
              + name()
              + "': expected a name of ReferenceProvider.Broken",
          e);
    }
  }
}
