package io.bingfa.net.crawl;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * The rules of one robots.txt for one user agent (RFC 9309, the subset crawlers rely on).
 *
 * <h2>Algorithm</h2>
 * Lines are {@code field: value}; {@code #} starts a comment. Consecutive {@code User-agent} lines open a group,
 * and the {@code Allow} / {@code Disallow} lines after them belong to it. The group used is the one whose
 * user-agent token is contained, case-insensitively, in our product token (the user agent up to its first
 * {@code /} or space), the longest such token if several; else the {@code *} group; else no rules. Rules of
 * every group that matched the chosen token are merged, as the RFC asks. A path is allowed unless the longest
 * matching rule is a {@code Disallow}; an {@code Allow} of the same length wins. Patterns match from the path's
 * start, {@code *} matches any run of characters and a final {@code $} anchors the end. An empty
 * {@code Disallow} allows everything. {@code /robots.txt} itself is always allowed. Other fields (Sitemap,
 * Crawl-delay) are ignored.
 */
public final class RobotsTxt {

    /** Allows every path: no robots.txt (4xx), or no group for us. */
    public static final RobotsTxt ALLOW_ALL = new RobotsTxt(List.of(), false);
    /** Disallows every path: robots.txt unreachable (5xx or a network error; RFC 9309 2.3.1.4). */
    public static final RobotsTxt DISALLOW_ALL = new RobotsTxt(List.of(), true);

    private record Rule(boolean allow, int length, Pattern pattern) {}

    private final List<Rule> rules;
    private final boolean disallowAll;

    private RobotsTxt(final List<Rule> rules, final boolean disallowAll) {
        this.rules = List.copyOf(rules);
        this.disallowAll = disallowAll;
    }

    /** The rules of {@code text} that apply to {@code userAgent}. */
    public static RobotsTxt parse(final String text, final String userAgent) {
        Objects.requireNonNull(text, "text");
        Objects.requireNonNull(userAgent, "userAgent");
        final String product = productToken(userAgent);
        final List<String[]> lines = new ArrayList<>();
        for (final String raw : text.split("\r\n|\r|\n")) {
            final int hash = raw.indexOf('#');
            final String line = (hash < 0 ? raw : raw.substring(0, hash)).strip();
            final int colon = line.indexOf(':');
            if (colon > 0) {
                lines.add(new String[] {line.substring(0, colon).strip().toLowerCase(Locale.ROOT),
                        line.substring(colon + 1).strip()});
            }
        }
        // First pass: the best user-agent token present.
        String best = null;
        for (final String[] l : lines) {
            if (l[0].equals("user-agent")) {
                final String token = l[1].toLowerCase(Locale.ROOT);
                if (!token.equals("*") && !token.isEmpty() && product.contains(token)
                        && (best == null || token.length() > best.length())) {
                    best = token;
                }
            }
        }
        final String chosen = best != null ? best : "*";
        // Second pass: the rules of every group that names the chosen token.
        final List<Rule> rules = new ArrayList<>();
        boolean inAgents = false;
        boolean groupMatches = false;
        boolean any = false;
        for (final String[] l : lines) {
            if (l[0].equals("user-agent")) {
                if (!inAgents) {
                    groupMatches = false;
                    inAgents = true;
                }
                if (l[1].toLowerCase(Locale.ROOT).equals(chosen)) {
                    groupMatches = true;
                    any = true;
                }
                continue;
            }
            inAgents = false;
            if (groupMatches && (l[0].equals("allow") || l[0].equals("disallow")) && !l[1].isEmpty()) {
                rules.add(new Rule(l[0].equals("allow"), l[1].length(), compile(l[1])));
            }
        }
        return any ? new RobotsTxt(rules, false) : ALLOW_ALL;
    }

    /** True if {@code path} (path and query of a URL, starting with {@code /}) may be fetched. */
    public boolean allows(final String path) {
        Objects.requireNonNull(path, "path");
        if (path.equals("/robots.txt")) {
            return true;
        }
        if (disallowAll) {
            return false;
        }
        Rule winner = null;
        for (final Rule r : rules) {
            if (r.pattern.matcher(path).lookingAt()
                    && (winner == null || r.length > winner.length || (r.length == winner.length && r.allow))) {
                winner = r;
            }
        }
        return winner == null || winner.allow;
    }

    private static String productToken(final String userAgent) {
        final String lower = userAgent.toLowerCase(Locale.ROOT).strip();
        int end = lower.length();
        for (int i = 0; i < lower.length(); i++) {
            if (lower.charAt(i) == '/' || lower.charAt(i) == ' ') {
                end = i;
                break;
            }
        }
        return lower.substring(0, end);
    }

    private static Pattern compile(final String rule) {
        final boolean anchored = rule.endsWith("$");
        final String body = anchored ? rule.substring(0, rule.length() - 1) : rule;
        final StringBuilder regex = new StringBuilder();
        int from = 0;
        for (int star = body.indexOf('*'); star >= 0; star = body.indexOf('*', from)) {
            regex.append(Pattern.quote(body.substring(from, star))).append(".*");
            from = star + 1;
        }
        regex.append(Pattern.quote(body.substring(from)));
        if (anchored) {
            regex.append('$');
        }
        return Pattern.compile(regex.toString(), Pattern.DOTALL);
    }

    @Override
    public String toString() {
        return disallowAll ? "RobotsTxt[disallow all]" : "RobotsTxt[" + rules.size() + " rules]";
    }
}
