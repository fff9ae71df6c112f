package io.robustcl.pipeline.config;

/**
 * Which layer of a stage's definition gave a param its value. The loader's checks read
 * {@link #kind} and {@link #name}; {@code plan --explain} prints {@link #toString}.
 *
 * @param kind the layer
 * @param name the {@code defaults:} key ({@code pretrain}, {@code preset/rocl}) or the preset's
 *     name; empty for the stage itself and for the type's declared default
 */
public record ParamOrigin(Kind kind, String name) {

  /** The layers, from the stage down to its type (see {@link StageDefaults} for precedence). */
  public enum Kind {
    STAGE,
    DEFAULTS,
    PRESET,
    TYPE_DEFAULT
  }

  public static final ParamOrigin STAGE = new ParamOrigin(Kind.STAGE, "");
  public static final ParamOrigin TYPE_DEFAULT = new ParamOrigin(Kind.TYPE_DEFAULT, "");

  static ParamOrigin defaults(String key) {
    return new ParamOrigin(Kind.DEFAULTS, key);
  }

  static ParamOrigin preset(String name) {
    return new ParamOrigin(Kind.PRESET, name);
  }

  @Override
  public String toString() {
    return switch (kind) {
      case STAGE -> "stage";
      case DEFAULTS -> "defaults " + name;
      case PRESET -> "preset " + name;
      case TYPE_DEFAULT -> "stage type default";
    };
  }
}
