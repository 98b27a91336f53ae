package io.bookmarket.e2e;

import io.bookmarket.launcher.LocalSystem;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.ExpectedConditions;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The pages for people, in a real browser (headless Chromium), through the gateway, signed in at the real Keycloak:
 * a publisher files and cancels, a reviewer approves, the publisher's page follows by itself; what one publisher
 * files no other sees; a form without its CSRF token changes nothing; sign-out ends Keycloak's session; the API
 * still answers 401, never a redirect. Each page is saved as a picture under target/screens.
 */
@ExtendWith(WholeSystem.class)
class ScreensIT {

    private static LocalSystem system;
    private static String site;

    @BeforeAll
    static void useTheWholeSystem() {
        system = WholeSystem.system();
        site = system.gatewayUrl();
    }

    @Test
    void aPublisherFilesAReviewerApprovesAndThePublishersPageFollowsWithoutAReload() {
        String book = "Screens approved " + System.nanoTime();
        try (Browser publisher = Browser.open(); Browser reviewer = Browser.open()) {
            publisher.get(site + "/");
            assertThat(publisher.text()).contains("Book Market", "Sign in as a publisher", "Sign in as a reviewer");
            publisher.screenshot("landing");
            publisher.find(By.linkText("Sign in as a publisher")).click();
            publisher.until(ExpectedConditions.visibilityOfElementLocated(By.id("username")));
            assertThat(publisher.driver.getCurrentUrl()).startsWith(system.realmUrl() + "/protocol/openid-connect/auth")
                    .contains("code_challenge_method=S256");
            publisher.screenshot("sign-in");
            publisher.signIn("publisher100");
            publisher.until(ExpectedConditions.urlToBe(site + "/ui/requests"));

            // Bad input: each error next to its field, nothing filed.
            long before = requestsOf("publisher100");
            publisher.find(By.id("bookNm")).sendKeys(" ");
            publisher.find(By.cssSelector("form.filing button[type=submit]")).click();
            publisher.until(ExpectedConditions.visibilityOfElementLocated(By.id("bookId-error")));
            assertThat(publisher.find(By.id("bookId-error")).getText()).contains("book id");
            assertThat(publisher.find(By.id("bookNm-error")).getText()).contains("name of the book");
            assertThat(publisher.find(By.id("bookId")).getAttribute("aria-invalid")).isEqualTo("true");
            assertThat(requestsOf("publisher100")).isEqualTo(before);

            long request = file(publisher, 4711, book);
            assertThat(status(publisher, request)).isEqualTo("Waiting for review");
            publisher.screenshot("publisher-requests");
            // Marks this page: if anything reloaded it, the mark is gone.
            publisher.driver.executeScript("window.bookmarketMark = 'not reloaded';");

            reviewer.get(site + "/ui/reviews").signIn("reviewer");
            reviewer.until(ExpectedConditions.urlToBe(site + "/ui/reviews"));
            // The review enters the queue once the request's RegRequested event confirmed it (a relay away).
            WebElement row = reviewer.until(driver -> {
                List<WebElement> rows = driver.findElements(By.xpath("//table[@id='pending']//tr[td[3]='" + book + "']"));
                if (rows.isEmpty()) {
                    driver.navigate().refresh();
                    return null;
                }
                return rows.getFirst();
            });
            assertThat(row.getText()).contains("4711", book, "100");
            reviewer.screenshot("review-queue");
            row.findElement(By.xpath(".//button[normalize-space()='Approve']")).click();
            reviewer.until(ExpectedConditions.textToBePresentInElementLocated(By.cssSelector("p.notice"), "is now approved"));
            assertThat(reviewer.find(By.xpath("//table[@id='decided']//tr[td[3]='" + book + "']")).getText()).contains("Approved");

            publisher.until(driver -> driver.findElement(By.cssSelector("#request-" + request + " td.status")).getText()
                    .equals("Approved"));
            assertThat(publisher.driver.executeScript("return window.bookmarketMark;")).isEqualTo("not reloaded");
            assertThat(publisher.find(By.id("request-" + request)).findElements(By.xpath(".//button[normalize-space()='Cancel']")))
                    .as("an approved request can still be cancelled").hasSize(1);
        }
    }

    @Test
    void aPublisherCancelsAndNoOtherPublisherSeesItsRequests() {
        String book = "Screens cancelled " + System.nanoTime();
        try (Browser first = Browser.open()) {
            first.get(site + "/ui/requests").signIn("publisher100");
            first.until(ExpectedConditions.urlToBe(site + "/ui/requests"));
            long request = file(first, 4712, book);
            first.find(By.id("cancel-" + request)).click();
            first.until(ExpectedConditions.textToBePresentInElementLocated(By.cssSelector("p.notice"), "is cancelled"));
            assertThat(status(first, request)).isEqualTo("Cancelled by you");
            assertThat(first.find(By.id("request-" + request)).findElements(By.tagName("button"))).as("no Cancel any more").isEmpty();
        }
        try (Browser second = Browser.open()) {
            second.get(site + "/ui/requests").signIn("publisher200");
            second.until(ExpectedConditions.urlToBe(site + "/ui/requests"));
            assertThat(second.text()).doesNotContain(book).doesNotContain("Screens approved");
            // A publisher on the reviewers' page: a page that says why, not JSON.
            second.get(site + "/ui/reviews");
            second.until(ExpectedConditions.visibilityOfElementLocated(By.tagName("h1")));
            assertThat(second.text()).contains("Not for your account", "is for another role");
            assertThat(second.driver.getPageSource()).doesNotContain("urn:bookmarket:problem");
            second.screenshot("forbidden");
        }
    }

    @Test
    void aFormPostedWithoutItsCsrfTokenIsRefusedAndFilesNothing() {
        try (Browser publisher = Browser.open()) {
            publisher.get(site + "/ui/requests").signIn("publisher100");
            publisher.until(ExpectedConditions.urlToBe(site + "/ui/requests"));
            long before = requestsOf("publisher100");
            publisher.driver.executeScript("document.querySelector('form.filing input[name=csrf-token]').remove();");
            publisher.find(By.id("bookId")).sendKeys("4713");
            publisher.find(By.id("bookNm")).sendKeys("Screens forged " + System.nanoTime());
            publisher.find(By.cssSelector("form.filing button[type=submit]")).click();
            publisher.until(ExpectedConditions.textToBePresentInElementLocated(By.tagName("h1"), "not sent"));
            assertThat(publisher.text()).contains("nothing was changed");
            assertThat(requestsOf("publisher100")).isEqualTo(before);
        }
    }

    @Test
    void signingOutEndsTheKeycloakSessionToo() {
        try (Browser publisher = Browser.open()) {
            publisher.get(site + "/ui/requests").signIn("publisher100");
            publisher.until(ExpectedConditions.urlToBe(site + "/ui/requests"));
            publisher.find(By.xpath("//button[normalize-space()='Sign out']")).click();
            // Keycloak ends its session and sends the browser to the start page (with the logout's state).
            publisher.until(ExpectedConditions.urlMatches("^" + java.util.regex.Pattern.quote(site + "/") + "(\\?state=[^&]+)?$"));
            assertThat(publisher.text()).contains("Sign in as a publisher");
            // Without Keycloak's session the pages ask for the password again, rather than signing in silently.
            publisher.get(site + "/ui/requests");
            publisher.until(ExpectedConditions.visibilityOfElementLocated(By.id("username")));
            assertThat(publisher.driver.getCurrentUrl()).startsWith(system.realmUrl());
            publisher.get(site + "/ui/reviews");
            publisher.until(ExpectedConditions.visibilityOfElementLocated(By.id("username")));
        }
    }

    /** The pages redirect to Keycloak; the API beside them keeps answering 401 with problem JSON. */
    @Test
    void theApiStillAnswers401NeverARedirect() throws Exception {
        HttpClient http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();
        for (String path : List.of("/regRequests", "/approves", "/publpages?publId=100", "/regRequests/1")) {
            HttpResponse<String> answer = http.send(HttpRequest.newBuilder(URI.create(site + path)).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(answer.statusCode()).as(path).isEqualTo(401);
            assertThat(answer.headers().firstValue("Content-Type").orElse("")).as(path).startsWith("application/problem+json");
            assertThat(answer.headers().firstValue("Location")).as(path).isEmpty();
        }
        HttpResponse<String> post = http.send(HttpRequest.newBuilder(URI.create(site + "/regRequests"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"bookId\":1,\"bookNm\":\"x\",\"publId\":100}")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(post.statusCode()).isEqualTo(401);
        for (String page : List.of("/ui/requests", "/ui/reviews")) {
            HttpResponse<String> answer = http.send(HttpRequest.newBuilder(URI.create(site + page)).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(answer.statusCode()).as(page).isEqualTo(302);
            assertThat(answer.headers().firstValue("Location").orElseThrow()).as(page)
                    .startsWith(system.realmUrl() + "/protocol/openid-connect/auth").contains("code_challenge=");
        }
    }

    /** Files through the form; returns the new request's id (its row). */
    private static long file(Browser publisher, long bookId, String book) {
        publisher.find(By.id("bookId")).sendKeys(Long.toString(bookId));
        publisher.find(By.id("bookNm")).sendKeys(book);
        publisher.find(By.cssSelector("form.filing button[type=submit]")).click();
        publisher.until(ExpectedConditions.textToBePresentInElementLocated(By.cssSelector("p.notice"), "is filed"));
        WebElement row = publisher.find(By.xpath("//div[@id='requests']//tr[td[3]='" + book + "']"));
        return Long.parseLong(row.getAttribute("id").substring("request-".length()));
    }

    private static String status(Browser publisher, long request) {
        return publisher.until(driver -> driver.findElement(By.cssSelector("#request-" + request + " td.status")).getText());
    }

    /** How many requests the publisher has, asked through the API. */
    private static long requestsOf(String user) {
        return Long.parseLong(given().baseUri(site).auth().oauth2(system.tokens().token(user))
                .get("/regRequests?size=1").then().statusCode(200).extract().header("X-Total-Count"));
    }
}
