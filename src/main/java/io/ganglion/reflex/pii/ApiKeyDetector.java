package io.ganglion.reflex.pii;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Credentials with a provider's fixed prefix (type {@link PiiTypes#API_KEY}): OpenAI {@code sk-} /
 * {@code sk-proj-}, Anthropic {@code sk-ant-}, GitHub {@code ghp_ gho_ ghu_ ghs_ ghr_ github_pat_}, Slack
 * {@code xoxb- xoxp- xoxa- xoxr- xoxs-}, AWS access key ids {@code AKIA}/{@code ASIA}, Google {@code AIza},
 * GitLab {@code glpat-}; and JSON Web Tokens (type {@link PiiTypes#JWT}).
 */
public final class ApiKeyDetector implements PiiDetector {

  private static final double SCORE = 0.99;
  private static final String NOT_TOKEN_BEFORE = "(?<![A-Za-z0-9_-])";
  private static final String NOT_TOKEN_AFTER = "(?![A-Za-z0-9_-])";
  private static final Pattern KEY = Pattern.compile(NOT_TOKEN_BEFORE + "(?:"
    + "sk-(?:ant-|proj-|svcacct-|admin-)?[A-Za-z0-9_-]{20,}"
    + "|gh[pousr]_[A-Za-z0-9]{36,}"
    + "|github_pat_[A-Za-z0-9_]{22,}"
    + "|xox[bpars]-[A-Za-z0-9-]{10,}"
    + "|(?:AKIA|ASIA)[0-9A-Z]{16}"
    + "|AIza[0-9A-Za-z_-]{35}"
    + "|glpat-[A-Za-z0-9_-]{20,}"
    + ")" + NOT_TOKEN_AFTER);
  private static final Pattern JWT =
    Pattern.compile(NOT_TOKEN_BEFORE + "eyJ[A-Za-z0-9_-]{8,}\\.eyJ[A-Za-z0-9_-]{8,}\\.[A-Za-z0-9_-]*" + NOT_TOKEN_AFTER);

  @Override
  public void detect(String text, List<Finding> out) {
    Matcher m = KEY.matcher(text);
    while (m.find()) {
      out.add(new Finding(PiiTypes.API_KEY, m.start(), m.end(), SCORE));
    }
    if (text.contains("eyJ")) {
      Matcher j = JWT.matcher(text);
      while (j.find()) {
        out.add(new Finding(PiiTypes.JWT, j.start(), j.end(), SCORE));
      }
    }
  }
}
