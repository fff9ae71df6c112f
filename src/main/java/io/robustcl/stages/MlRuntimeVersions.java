package io.robustcl.stages;

import io.robustcl.pipeline.exec.RuntimeVersions;
import java.io.IOException;
import java.io.InputStream;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;

/**
 * The ML side's versions for manifests: DJL, and the PyTorch native build (version and
 * flavour, {@code cpu} or {@code cu118}), read from the property files DJL's jars carry
 * ({@code ai/djl/engine/api.properties}, {@code native/lib/pytorch.properties}) without loading
 * the engine or its native library, so a process launcher's parent never loads PyTorch just
 * to write a manifest.
 */
final class MlRuntimeVersions implements RuntimeVersions {

  @Override
  public Map<String, String> versions() {
    Map<String, String> out = new TreeMap<>();
    Properties djl = properties("ai/djl/engine/api.properties");
    if (djl.getProperty("djl_version") != null) {
      out.put("djl", djl.getProperty("djl_version"));
    }
    Properties pytorch = properties("native/lib/pytorch.properties");
    String version = pytorch.getProperty("version");
    if (version != null) {
      // "2.0.1-20230709": the release, then the date DJL built the package
      out.put("pytorch", version.replaceFirst("-\\d{8}$", ""));
    }
    if (pytorch.getProperty("flavor") != null) {
      out.put("pytorch_flavor", pytorch.getProperty("flavor"));
    }
    return out;
  }

  private static Properties properties(String resource) {
    Properties p = new Properties();
    try (InputStream in = MlRuntimeVersions.class.getClassLoader().getResourceAsStream(resource)) {
      if (in != null) {
        p.load(in);
      }
    } catch (IOException e) {
      // unreadable jar entry: the manifest records what is known
    }
    return p;
  }
}
