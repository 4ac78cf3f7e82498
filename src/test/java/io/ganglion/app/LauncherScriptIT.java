package io.ganglion.app;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("The ./ganglion launcher")
class LauncherScriptIT {

  @Test
  @DisplayName("finds a JDK 21+ by itself when JAVA_HOME points at an older one and the java on the PATH is older")
  void findsJdk() throws Exception {
    Path java17 = Path.of("/usr/lib/jvm/java-17-openjdk-amd64");
    ProcessBuilder builder = new ProcessBuilder("./ganglion", "--version").redirectErrorStream(true);
    if (Files.isDirectory(java17)) {
      builder.environment().put("JAVA_HOME", java17.toString());
      builder.environment().put("PATH", java17.resolve("bin") + ":" + System.getenv("PATH"));
    } else {
      builder.environment().remove("JAVA_HOME");
    }
    Process process = builder.start();
    assertThat(process.waitFor(120, TimeUnit.SECONDS)).isTrue();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.exitValue()).as(output).isZero();
    assertThat(output).contains("ganglion 0.1.0").doesNotContain("UnsupportedClassVersionError");
  }
}
