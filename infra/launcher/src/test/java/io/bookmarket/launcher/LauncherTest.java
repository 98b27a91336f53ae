package io.bookmarket.launcher;

import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** What {@code infra/run.sh} accepts: BOOKMARKET_REPLICAS and {@code --except}; a mistake is named, not guessed at. */
class LauncherTest {

    @Test
    void twoReplicasOfTheCoreServiceAndOneOfTheOthersUnlessToldOtherwise() {
        assertThat(Launcher.replicas("")).containsExactly(Map.entry(LocalSystem.REGREQUEST, 2),
                Map.entry(LocalSystem.APPROVAL, 1), Map.entry(LocalSystem.PUBLISHER_VIEW, 1));
        assertThat(Launcher.replicas(" approval-service=3, regrequest-service=1 "))
                .containsEntry(LocalSystem.APPROVAL, 3).containsEntry(LocalSystem.REGREQUEST, 1)
                .containsEntry(LocalSystem.PUBLISHER_VIEW, 1);
    }

    @Test
    void aReplicaCountThatIsNotOneToNinetyNineOrAnUnknownServiceIsRefusedByName() {
        for (String wrong : new String[] {"approval-service=0", "approval-service=100", "approval-service=two",
                "approval=2", "approval-service"}) {
            assertThatThrownBy(() -> Launcher.replicas(wrong)).as(wrong)
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(wrong);
        }
    }

    @Test
    void exceptNamesServicesThatRunOutside() {
        assertThat(Launcher.except(new String[] {"--except", "publisher-view", "--except", "approval-service"}))
                .containsExactly(LocalSystem.PUBLISHER_VIEW, LocalSystem.APPROVAL);
        assertThat(Launcher.except(new String[0])).isEmpty();
        assertThatThrownBy(() -> Launcher.except(new String[] {"--except", "gateway"})).hasMessageContaining("no such service");
        assertThatThrownBy(() -> Launcher.except(new String[] {"--except"})).hasMessageContaining("Unknown argument");
        assertThatThrownBy(() -> Launcher.except(new String[] {"--replicas", "2"})).hasMessageContaining("Unknown argument");
    }
}
