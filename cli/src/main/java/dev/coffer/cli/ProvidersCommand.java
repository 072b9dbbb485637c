package dev.coffer.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.coffer.BackupProviders;
import dev.coffer.spi.BackupProvider;
import dev.coffer.spi.OptionInfo;
import java.util.List;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;

@Command(
    name = "providers",
    description = "List the installed providers, their capabilities and options.")
final class ProvidersCommand extends CliCommand {
  @Override
  public Integer call() {
    List<BackupProvider> providers = BackupProviders.installed();
    if (json()) {
      ObjectNode doc = Json.object();
      ArrayNode list = doc.putArray("providers");
      for (BackupProvider p : providers) {
        ObjectNode n = list.addObject();
        n.put("name", p.name());
        n.put("description", p.description());
        ArrayNode caps = n.putArray("capabilities");
        p.capabilities().stream().sorted().forEach(c -> caps.add(c.name()));
        ArrayNode opts = n.putArray("options");
        for (OptionInfo o : p.options()) {
          ObjectNode on = opts.addObject();
          on.put("name", o.name());
          on.put("description", o.description());
          on.put("required", o.required());
          if (o.defaultValue() == null) {
            on.putNull("default");
          } else {
            on.put("default", o.defaultValue());
          }
          on.put("secret", o.secret());
        }
      }
      Json.print(cli.out, doc);
      return CofferCli.OK;
    }
    if (providers.isEmpty()) {
      out().println("No providers installed.");
    }
    for (BackupProvider p : providers) {
      out().println(p.name() + " - " + p.description());
      String caps =
          p.capabilities().stream()
              .sorted()
              .map(Formats::capability)
              .collect(Collectors.joining(", "));
      out().println("  capabilities: " + (caps.isEmpty() ? "(none)" : caps));
      if (!p.options().isEmpty()) {
        out().println("  options:");
      }
      for (OptionInfo o : p.options()) {
        String flags =
            (o.required() ? " (required)" : "")
                + (o.secret() ? " (secret)" : "")
                + (o.defaultValue() != null ? " (default " + o.defaultValue() + ")" : "");
        out().println("    " + o.name() + flags + ": " + o.description());
      }
      out().println();
    }
    return CofferCli.OK;
  }
}
