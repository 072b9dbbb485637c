package dev.coffer.testkit.reference;

/**
 * The correct reference provider under a class of its own that is listed in no {@code
 * META-INF/services} file: ServiceLoader never finds it (P1).
 */
public final class UnregisteredProvider extends ReferenceProvider {

  /** Creates the provider; does no I/O. */
  public UnregisteredProvider() {}

  @Override
  public String name() {
    return "tck-unregistered";
  }
}
