package io.robustcl.report;

import com.google.common.collect.ImmutableList;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * {@code pipeline diff}: two configurations (or two caches) side by side, read from the cache.
 * Table cells are named as claims name them ({@code rocl-table2 at.trades_8}); other metrics
 * as {@code stage.metric}, for the stages whose artifacts differ.
 *
 * @param oldLabel what the old side is, e.g. {@code profile tiny}
 * @param newLabel what the new side is
 * @param values every compared number, tables' cells first
 * @param stages the stages whose keys differ, with why
 */
public record RunDiff(String oldLabel, String newLabel, ImmutableList<Value> values, ImmutableList<StageChange> stages) {

  /** One number on both sides; a side is null where it has no artifact (or no such cell). */
  public record Value(String name, @Nullable Double before, @Nullable Double after) {
    public @Nullable Double change() {
      return before == null || after == null ? null : after - before;
    }
  }

  /**
   * A stage whose artifact differs between the sides.
   *
   * @param reasons why, as {@code plan} says it ({@code param changed: lr 0.1 -> 0.2}, ...)
   */
  public record StageChange(String stage, @Nullable String oldKey, @Nullable String newKey, ImmutableList<String> reasons) {}

  /**
   * Compares the two closures stage by stage.
   *
   * @param reasons stage name to why its key differs; stages with equal keys are left out
   */
  public static RunDiff of(String oldLabel, ReportSource before, String newLabel, ReportSource after,
      Map<String, ImmutableList<String>> reasons) {
    Map<String, ReportStage> oldStages = new LinkedHashMap<>();
    before.stages().forEach(s -> oldStages.put(s.name(), s));
    Set<String> names = new LinkedHashSet<>();
    after.stages().forEach(s -> names.add(s.name()));
    names.addAll(oldStages.keySet());
    Map<String, ReportStage> newStages = new LinkedHashMap<>();
    after.stages().forEach(s -> newStages.put(s.name(), s));

    ImmutableList.Builder<Value> tables = ImmutableList.builder();
    ImmutableList.Builder<Value> metrics = ImmutableList.builder();
    ImmutableList.Builder<StageChange> changes = ImmutableList.builder();
    for (String name : names) {
      ReportStage a = oldStages.get(name);
      ReportStage b = newStages.get(name);
      String oldKey = a == null ? null : a.key();
      String newKey = b == null ? null : b.key();
      boolean same = oldKey != null && oldKey.equals(newKey) && a.present() && b.present();
      if (!same) {
        changes.add(new StageChange(name, oldKey, newKey, reasons.getOrDefault(name, ImmutableList.of(
            a == null ? "only in the new closure" : b == null ? "only in the old closure" : "key changed"))));
      }
      boolean table = (a != null && a.type().equals("table")) || (b != null && b.type().equals("table"));
      if (table) {
        Map<String, Double> x = cells(a);
        Map<String, Double> y = cells(b);
        Set<String> keys = new LinkedHashSet<>(y.keySet());
        keys.addAll(x.keySet());
        keys.forEach(k -> tables.add(new Value(name + " " + k, x.get(k), y.get(k))));
      } else if (!same) {
        Map<String, Double> x = a == null || !a.present() ? Map.of() : a.manifest().metrics();
        Map<String, Double> y = b == null || !b.present() ? Map.of() : b.manifest().metrics();
        Set<String> keys = new LinkedHashSet<>(y.keySet());
        keys.addAll(x.keySet());
        keys.forEach(k -> metrics.add(new Value(name + "." + k, x.get(k), y.get(k))));
      }
    }
    return new RunDiff(oldLabel, newLabel, ImmutableList.<Value>builder().addAll(tables.build())
        .addAll(metrics.build()).build(), changes.build());
  }

  /** A table artifact's cells by {@code row_id.column_id}, our values; empty when missing. */
  private static Map<String, Double> cells(@Nullable ReportStage stage) {
    Map<String, Double> out = new LinkedHashMap<>();
    if (stage == null || !stage.present() || !Files.isRegularFile(stage.dir().resolve("table.json"))) {
      return out;
    }
    try {
      JsonObject json = JsonParser.parseString(Files.readString(stage.dir().resolve("table.json"))).getAsJsonObject();
      JsonArray ids = json.getAsJsonArray("column_ids");
      for (JsonElement r : json.getAsJsonArray("rows")) {
        JsonObject row = r.getAsJsonObject();
        if (row.has("section")) {
          continue;
        }
        JsonArray cells = row.getAsJsonArray("cells");
        for (int c = 0; c < cells.size(); c++) {
          if (!cells.get(c).isJsonNull()) {
            out.put(row.get("id").getAsString() + "." + ids.get(c).getAsString(),
                cells.get(c).getAsJsonObject().get("ours").getAsDouble());
          }
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + stage.dir().resolve("table.json") + ": " + e.getMessage(), e);
    }
    return out;
  }

  /** GitHub Markdown: the values, then the stages that differ and why. */
  public String markdown() {
    StringBuilder out = new StringBuilder();
    out.append("### diff: ").append(oldLabel).append(" -> ").append(newLabel).append("\n\n");
    out.append("| cell or metric | old | new | change |\n| --- | ---: | ---: | ---: |\n");
    for (Value v : values) {
      out.append("| ").append(v.name().replace("|", "\\|")).append(" | ").append(number(v.before())).append(" | ")
          .append(number(v.after())).append(" | ").append(signed(v.change())).append(" |\n");
    }
    out.append("\n").append(stages.size()).append(stages.size() == 1 ? " stage differs" : " stages differ")
        .append(stages.isEmpty() ? ".\n" : ":\n\n");
    for (StageChange s : stages) {
      out.append("- `").append(s.stage()).append("` ").append(shortKey(s.oldKey())).append(" -> ")
          .append(shortKey(s.newKey())).append(": ").append(String.join("; ", s.reasons())).append('\n');
    }
    return out.toString();
  }

  /** RFC 4180 CSV, one line per value then per differing stage: {@code kind,name,old,new,change}. */
  public String csv() {
    StringBuilder out = new StringBuilder("kind,name,old,new,change\r\n");
    for (Value v : values) {
      out.append("value,").append(csvField(v.name())).append(',').append(plain(v.before())).append(',')
          .append(plain(v.after())).append(',').append(plain(v.change())).append("\r\n");
    }
    for (StageChange s : stages) {
      out.append("stage,").append(csvField(s.stage())).append(',').append(Objects.toString(s.oldKey(), "")).append(',')
          .append(Objects.toString(s.newKey(), "")).append(',').append(csvField(String.join("; ", s.reasons())))
          .append("\r\n");
    }
    return out.toString();
  }

  /** JSON: {@code {old, new, values: [{name, old, new, change}], stages: [{stage, old_key, new_key, reasons}]}}. */
  public String json() {
    JsonObject root = new JsonObject();
    root.addProperty("old", oldLabel);
    root.addProperty("new", newLabel);
    JsonArray vs = new JsonArray();
    for (Value v : values) {
      JsonObject o = new JsonObject();
      o.addProperty("name", v.name());
      o.addProperty("old", v.before());
      o.addProperty("new", v.after());
      o.addProperty("change", v.change());
      vs.add(o);
    }
    root.add("values", vs);
    JsonArray ss = new JsonArray();
    for (StageChange s : stages) {
      JsonObject o = new JsonObject();
      o.addProperty("stage", s.stage());
      o.addProperty("old_key", s.oldKey());
      o.addProperty("new_key", s.newKey());
      JsonArray why = new JsonArray();
      s.reasons().forEach(why::add);
      o.add("reasons", why);
      ss.add(o);
    }
    root.add("stages", ss);
    return new GsonBuilder().setPrettyPrinting().serializeNulls().serializeSpecialFloatingPointValues().create()
        .toJson(root) + "\n";
  }

  private static String number(@Nullable Double v) {
    return v == null ? "missing" : String.format(Locale.ROOT, "%.2f", v);
  }

  private static String signed(@Nullable Double v) {
    return v == null ? "" : String.format(Locale.ROOT, "%+.2f", v);
  }

  private static String plain(@Nullable Double v) {
    return v == null ? "" : String.format(Locale.ROOT, "%.4f", v);
  }

  private static String shortKey(@Nullable String key) {
    return key == null ? "(no key)" : key.substring(0, 12);
  }

  private static String csvField(String s) {
    return s.contains(",") || s.contains("\"") || s.contains("\n") ? "\"" + s.replace("\"", "\"\"") + "\"" : s;
  }
}
