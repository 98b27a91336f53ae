package io.bookmarket.publisherview;

import io.bookmarket.stack.testing.StackTestResource;
import io.bookmarket.support.testing.OidcServer;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.sql.Connection;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.stream.LongStream;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.startsWith;

/** The REST API on a view of thousands of rows (request ids 2,000,001-2,003,500, publishers 777777 and 777778). */
@QuarkusTest
@QuarkusTestResource(value = StackTestResource.class, initArgs = @ResourceArg(name = "database", value = "publisherview"))
@QuarkusTestResource(OidcServer.class)
class PublpageResourceTest {

    static final long PUBLISHER = 777777;
    static final long OTHER_PUBLISHER = 777778;
    static final long FIRST = 2_000_001;
    static final int ROWS = 3500;
    /** Every 7th row belongs to the other publisher: 500 rows; the rest, 3000, to PUBLISHER. */
    static final List<Long> PUBLISHER_ROWS_NEWEST_FIRST = LongStream.rangeClosed(1, ROWS)
            .filter(g -> g % 7 != 0).map(g -> FIRST - 1 + g).boxed()
            .sorted((a, b) -> Long.compare(b, a)).toList();

    @BeforeAll
    static void thousandsOfRows() throws Exception {
        try (Connection c = Events.db(); var st = c.createStatement()) {
            long start = System.nanoTime();
            st.executeUpdate("""
                    INSERT INTO publpage (req_id, publ_id, book_id, book_nm, reg_yn, app_yn, status, approve_id,
                                          created_at, updated_at, last_event_at)
                    SELECT %d - 1 + g, CASE WHEN g %% 7 = 0 THEN %d ELSE %d END, g, 'Book ' || g,
                           'RegRequested', 'Approved', 'Approved', g, now(), now(), now()
                    FROM generate_series(1, %d) AS g
                    ON CONFLICT (req_id) DO NOTHING""".formatted(FIRST, OTHER_PUBLISHER, PUBLISHER, ROWS));
            System.out.printf("Inserted %d view rows in %d ms%n", ROWS, (System.nanoTime() - start) / 1_000_000);
        }
    }

    @Test
    void aPublishersRequestsPageWithoutGapsOrDuplicatesNewestFirst() {
        assertThat(PUBLISHER_ROWS_NEWEST_FIRST).hasSize(3000);
        long start = System.nanoTime();
        assertThat(walk("/publpages", 70)).containsExactlyElementsOf(PUBLISHER_ROWS_NEWEST_FIRST);
        assertThat(walk("/publpages/search/findByPublId", 100)).containsExactlyElementsOf(PUBLISHER_ROWS_NEWEST_FIRST);
        System.out.printf("Walked 3000 rows twice (43 + 30 pages) in %d ms%n", (System.nanoTime() - start) / 1_000_000);

        // Past the end: an empty page, still with the total.
        Callers.asReviewer().queryParam("publId", PUBLISHER).queryParam("page", 30).queryParam("size", 100)
                .get("/publpages").then().statusCode(200)
                .header("X-Total-Count", "3000").body("$", empty());
        // Defaults: page 0, 20 rows.
        Callers.asReviewer().queryParam("publId", OTHER_PUBLISHER).get("/publpages/search/findByPublId").then().statusCode(200)
                .header("X-Total-Count", "500").body("$", hasSize(20))
                .body("[0].reqId", equalTo((int) (FIRST - 1 + 3500))).body("[0].publId", equalTo((int) OTHER_PUBLISHER));
        // Without publId: everyone's, newest first.
        List<Long> all = Callers.asReviewer().queryParam("size", 100).get("/publpages").then().statusCode(200)
                .extract().jsonPath().getList("reqId", Long.class);
        assertThat(all).hasSize(100).isSortedAccordingTo((a, b) -> Long.compare(b, a));
    }

    /** Every page of a publisher's list; checks the total header on each page. */
    private static List<Long> walk(String path, int size) {
        List<Long> seen = new ArrayList<>();
        for (int page = 0; ; page++) {
            Response response = Callers.asReviewer().queryParam("publId", PUBLISHER).queryParam("page", page).queryParam("size", size)
                    .get(path);
            response.then().statusCode(200).header("X-Total-Count", "3000");
            List<Long> ids = response.jsonPath().getList("reqId", Long.class);
            if (ids.isEmpty()) {
                break;
            }
            assertThat(ids.size()).isLessThanOrEqualTo(size);
            seen.addAll(ids);
        }
        assertThat(new HashSet<>(seen)).hasSameSizeAs(seen);
        return seen;
    }

    @Test
    void oneRequestByIdAndByTheOriginalsQueryPath() {
        long reqId = FIRST + 9; // g = 10
        Callers.asReviewer().get("/publpages/" + reqId).then().statusCode(200)
                .body("reqId", equalTo((int) reqId)).body("publId", equalTo((int) PUBLISHER))
                .body("bookNm", equalTo("Book 10")).body("status", equalTo("Approved"))
                .body("regYn", equalTo("RegRequested")).body("appYn", equalTo("Approved"))
                .body("approveId", equalTo(10)).body("lastEventAt", startsWith("20"));
        Callers.asReviewer().queryParam("reqId", reqId).get("/publpages/search/findByReqId").then().statusCode(200)
                .header("X-Total-Count", "1").body("reqId", contains((int) reqId));
        Callers.asReviewer().queryParam("reqId", 999_999_999).get("/publpages/search/findByReqId").then().statusCode(200)
                .header("X-Total-Count", "0").body("$", empty());
    }

    @Test
    void anUnknownRequestIsA404Problem() {
        Callers.asReviewer().get("/publpages/999999999").then().statusCode(404)
                .contentType("application/problem+json")
                .body("status", equalTo(404)).body("type", equalTo("urn:bookmarket:problem:not-found"))
                .body("detail", containsString("999999999")).body("instance", equalTo("/publpages/999999999"));
    }

    @ParameterizedTest
    @CsvSource({
            "/publpages?page=abc, page",
            "/publpages?page=-1, page",
            "/publpages?size=0, size",
            "/publpages?size=101, size",
            "/publpages?size=twenty, size",
            "/publpages?publId=x, publId",
            "/publpages?publId=0, publId",
            "/publpages/abc, reqId",
            "/publpages/-5, reqId",
            "/publpages/search/findByPublId, publId",
            "/publpages/search/findByPublId?publId=100&size=1000, size",
            "/publpages/search/findByReqId, reqId",
            "/publpages/search/findByReqId?reqId=1.5, reqId",
    })
    void badParametersAre400ProblemsNamingTheParameter(String url, String field) {
        Callers.asReviewer().get(url).then().statusCode(400)
                .contentType("application/problem+json")
                .body("status", equalTo(400)).body("type", equalTo("urn:bookmarket:problem:invalid-request"))
                .body("errors.field", hasItem(field));
    }

    @Test
    void openApiDocumentsThePathsWithExamplesAndSwaggerUiIsServed() {
        given().get("/q/openapi?format=json").then().statusCode(200)
                .body("paths", org.hamcrest.Matchers.hasKey("/publpages/{reqId}"))
                .body("paths", org.hamcrest.Matchers.hasKey("/publpages/search/findByPublId"))
                .body("paths", org.hamcrest.Matchers.hasKey("/publpages/admin/rebuild"))
                .body(containsString("X-Total-Count"))
                .body(containsString("mybook"));
        given().get("/q/swagger-ui/").then().statusCode(200);
    }

    @Test
    void readinessCoversTheDatabaseAndLivenessTheKafkaConsumers() {
        given().get("/q/health/ready").then().statusCode(200)
                .body("status", equalTo("UP"))
                .body("checks.name", hasItem(containsString("Database")))
                .body(not(containsString("regrequest-events")))
                .body(not(containsString("approve-events")));
        given().get("/q/health/live").then().statusCode(200)
                .body("status", equalTo("UP"))
                .body(containsString("regrequest-events"))
                .body(containsString("approve-events"));
    }
}
