package io.robustcl.pipeline.exec;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/** robustcl's own version, from the Maven metadata in its jar, or {@code "dev"} when run from classes. */
final class EngineVersion {

  private static final String POM_PROPERTIES = "/META-INF/maven/io.robustcl/robustcl/pom.properties";

  private EngineVersion() {}

  static String get() {
    try (InputStream in = EngineVersion.class.getResourceAsStream(POM_PROPERTIES)) {
      if (in == null) {
        return "dev";
      }
      Properties p = new Properties();
      p.load(in);
      return p.getProperty("version", "dev");
    } catch (IOException e) {
      return "dev";
    }
  }
}
