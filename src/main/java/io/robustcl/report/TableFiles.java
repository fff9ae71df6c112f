package io.robustcl.report;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Writes a {@link ResolvedTable} in every format a table artifact carries. */
public final class TableFiles {

  /** The files {@link #write} creates, in the order written. */
  public static final List<String> NAMES = List.of("table.md", "table.csv", "table.tex", "table.json");

  private TableFiles() {}

  /** Writes {@code table.md}, {@code table.csv}, {@code table.tex} and {@code table.json} into {@code dir}. */
  public static void write(ResolvedTable table, Path dir) throws IOException {
    write(dir, "table.md", MarkdownTable.render(table));
    write(dir, "table.csv", CsvTable.render(table));
    write(dir, "table.tex", LatexTable.render(table));
    write(dir, "table.json", JsonTable.render(table));
  }

  private static void write(Path dir, String name, String text) throws IOException {
    Files.writeString(dir.resolve(name), text, StandardCharsets.UTF_8);
  }
}
