package io.bookmarket.e2e;

import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.function.Function;

/**
 * A headless Chromium of its own (a fresh profile: no cookie of another test, Keycloak's single sign-on included),
 * driven by Debian's chromedriver, so nothing is downloaded. {@code .ci/run} installs both when they are missing.
 */
final class Browser implements AutoCloseable {

    static final String CHROMIUM = System.getProperty("bookmarket.chromium", "/usr/bin/chromium");
    static final String CHROMEDRIVER = System.getProperty("bookmarket.chromedriver", "/usr/bin/chromedriver");
    static final Path SCREENS = Path.of("target/screens");

    final ChromeDriver driver;
    private final Path profile;

    private Browser(ChromeDriver driver, Path profile) {
        this.driver = driver;
        this.profile = profile;
    }

    static Browser open() {
        try {
            Path profile = Files.createTempDirectory("bookmarket-chromium-");
            ChromeOptions options = new ChromeOptions();
            options.setBinary(CHROMIUM);
            options.addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                    "--window-size=1200,900", "--user-data-dir=" + profile, "--lang=en-US");
            ChromeDriverService service = new ChromeDriverService.Builder()
                    .usingDriverExecutable(new File(CHROMEDRIVER)).build();
            ChromeDriver driver = new ChromeDriver(service, options);
            driver.manage().timeouts().pageLoadTimeout(Duration.ofSeconds(30));
            return new Browser(driver, profile);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    Browser get(String url) {
        driver.get(url);
        return this;
    }

    WebElement find(By by) {
        return driver.findElement(by);
    }

    String text() {
        return driver.findElement(By.tagName("body")).getText();
    }

    /** Keycloak's login form: the user and its password (= its name for the demo users). */
    Browser signIn(String user) {
        until(ExpectedConditions.visibilityOfElementLocated(By.id("username")));
        find(By.id("username")).sendKeys(user);
        find(By.id("password")).sendKeys(user);
        find(By.id("kc-login")).click();
        return this;
    }

    <T> T until(Function<WebDriver, T> condition) {
        // The publisher's list is replaced every few seconds (htmx): an element read a moment ago may be gone.
        return new WebDriverWait(driver, Duration.ofSeconds(30), Duration.ofMillis(200))
                .ignoring(StaleElementReferenceException.class).until(condition);
    }

    void screenshot(String name) {
        try {
            Files.createDirectories(SCREENS);
            File shot = ((TakesScreenshot) driver).getScreenshotAs(OutputType.FILE);
            Files.copy(shot.toPath(), SCREENS.resolve(name + ".png"), StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        driver.quit();
        try (var files = Files.walk(profile)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // a temporary profile left behind is harmless
        }
    }
}
