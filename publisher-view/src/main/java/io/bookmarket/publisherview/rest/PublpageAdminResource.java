package io.bookmarket.publisherview.rest;

import io.bookmarket.publisherview.service.ViewRebuild;
import io.bookmarket.support.security.Roles;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.ExampleObject;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** Operators' commands: role admin only. */
@Path("/publpages/admin")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "admin", description = "Operating the read model")
public class PublpageAdminResource {

    @Inject
    ViewRebuild rebuild;

    @POST
    @Path("/rebuild")
    @RolesAllowed(Roles.ADMIN)
    @Operation(summary = "Rebuild the view from the topics, from offset zero",
            description = "Empties the view and the processed-event log, then re-reads outbox.event.RegRequest and "
                    + "outbox.event.Approve from their first offset up to their current end and applies every event again. "
                    + "Answers when done. The live consumers keep running meanwhile; while it runs, publishers may see "
                    + "fewer rows. Unprocessable messages are skipped (they are already on the dead-letter topics).")
    @APIResponse(responseCode = "200", description = "The view was rebuilt",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, examples = @ExampleObject(name = "done", value = """
                    {"rowsCleared": 1200, "eventsForgotten": 3100,
                     "recordsRead": {"outbox.event.RegRequest": 1900, "outbox.event.Approve": 1202},
                     "eventsApplied": 3100, "duplicatesSkipped": 0, "poisonSkipped": 2, "tookMs": 5400}""")))
    @APIResponse(responseCode = "409", description = "A rebuild is already running", content = @Content(mediaType = "application/problem+json"))
    public ViewRebuild.Report rebuild() {
        return rebuild.rebuild();
    }
}
