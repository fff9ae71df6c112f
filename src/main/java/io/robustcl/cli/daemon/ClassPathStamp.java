package io.robustcl.cli.daemon;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;

/**
 * Size, modification time and inode of every class path entry and of the JVM's binary, as the
 * daemon saw them when it started: a rebuilt jar (or a copied-in library, or an updated JDK) makes
 * the daemon stale, and a stale daemon never serves.
 *
 * @param classPath the class path as the JVM was given it
 * @param javaBinary the JVM's {@code bin/java}
 * @param entries one line per file: path, size, mtime, file key (or "missing")
 */
record ClassPathStamp(String classPath, Path javaBinary, List<String> entries) {

  static ClassPathStamp of(String classPath, Path javaBinary) {
    List<String> entries = new ArrayList<>();
    for (String entry : classPath.split(File.pathSeparator)) {
      entries.add(describe(Path.of(entry)));
    }
    entries.add(describe(javaBinary));
    return new ClassPathStamp(classPath, javaBinary, List.copyOf(entries));
  }

  /** The stamp of this JVM's class path and binary. */
  static ClassPathStamp ofThisJvm() {
    return of(System.getProperty("java.class.path"), Path.of(System.getProperty("java.home"), "bin", "java"));
  }

  /** Whether any file changed since this stamp was taken. */
  boolean changed() {
    return !of(classPath, javaBinary).equals(this);
  }

  private static String describe(Path path) {
    try {
      BasicFileAttributes a = Files.readAttributes(path, BasicFileAttributes.class);
      return path + " " + a.size() + " " + a.lastModifiedTime().toMillis() + " " + a.fileKey();
    } catch (IOException e) {
      return path + " missing";
    }
  }
}
