package io.bingfa.serve;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The dashboard in a real headless Chromium (Debian's chromium and chromium-driver, driven by Selenium): the
 * page loads, and its figures follow the service: requests/s and the request count rise under load, the
 * generation changes after a reload, both workers show as up.
 */
class DashboardBrowserTest {

    static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
    static final Path CHROMIUM = Path.of("/usr/bin/chromium");

    @TempDir
    Path data;

    @Test
    void theDashboardShowsLiveFigures() throws Exception {
        Assumptions.assumeTrue(Files.isExecutable(CHROMEDRIVER) && Files.isExecutable(CHROMIUM),
                "chromium and chromium-driver are not installed (Debian: apt-get install chromium chromium-driver)");
        try (Supervisor serve = Supervisor.start(ServeOptions.defaults(data).withPort(0).withProcesses(2)
                .withApps(1_000).withReloadEvery(Duration.ofMinutes(10)));
             ServeClient client = new ServeClient(serve.url())) {
            final ChromeOptions options = new ChromeOptions();
            options.setBinary(CHROMIUM.toFile());
            options.addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                    "--user-data-dir=" + Files.createDirectories(data.resolve("chromium")));
            final ChromeDriverService service = new ChromeDriverService.Builder()
                    .usingDriverExecutable(CHROMEDRIVER.toFile()).usingAnyFreePort().build();
            final WebDriver browser = new ChromeDriver(service, options);
            try {
                browser.get(serve.url() + "/");
                final WebDriverWait wait = new WebDriverWait(browser, Duration.ofSeconds(30));
                assertThat(browser.getTitle()).isEqualTo("bingfa serve");
                wait.until(b -> b.findElements(By.cssSelector("#workers tr")).size() == 2);
                final long before = number(browser, "total-requests");
                final String generation = text(browser, "generation");

                final Load load = new Load(serve.url(), 2, 1_000, true);
                try {
                    wait.until(b -> number(b, "total-requests") > before + 100);
                    wait.until(b -> parse(text(b, "total-rps")) > 0);
                    wait.until(b -> parse(b.findElement(By.cssSelector("#worker-0 .rps")).getText()) > 0
                            || parse(b.findElement(By.cssSelector("#worker-1 .rps")).getText()) > 0);
                } finally {
                    load.close();
                }
                assertThat(client.post("/admin/reload", "").status()).isEqualTo(202);
                wait.until(b -> !text(b, "generation").equals(generation));
                assertThat(number(browser, "reloads")).isGreaterThanOrEqualTo(2);
                assertThat(browser.findElements(By.cssSelector("#workers td.up"))).hasSize(2);
                assertThat(text(browser, "store")).startsWith("host-local shared map");
                assertThat(text(browser, "error")).isEmpty();
            } finally {
                browser.quit();
            }
        }
    }

    private static String text(final WebDriver b, final String id) {
        return b.findElement(By.id(id)).getText();
    }

    private static long number(final WebDriver b, final String id) {
        final String t = text(b, id);
        return t.isEmpty() || t.equals("-") ? -1 : Long.parseLong(t.replace(",", ""));
    }

    private static double parse(final String t) {
        return t.isEmpty() || t.equals("-") ? 0 : Double.parseDouble(t.replace(",", ""));
    }
}
