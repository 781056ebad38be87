//! The overlays that can cover the panes (help, pickers, the tree, the jobs list, dialogs),
//! each holding its own state. Their keys are in `overlay_keys`.

use crate::conversation::TurnId;
use crate::tui::state::panes::JobsList;
use crate::tui::state::panes::ScrollView;
use crate::tui::state::path_prompt::PathPrompt;
use crate::tui::state::pickers::ModelPicker;
use crate::tui::state::pickers::SessionPicker;
use crate::tui::state::tree::TreeView;

#[derive(Debug)]
pub enum Overlay {
    Help(ScrollView),
    Sessions(SessionPicker),
    Models(ModelPicker),
    PathPrompt(PathPrompt),
    MissingKey,
    Jobs(JobsList),
    Tree(TreeView),
    /// A quit key with generations running or a prompt unsent: quit now, wait, or stay.
    ConfirmQuit,
    /// A batch of variations over the price threshold, waiting for a yes.
    ConfirmBatch {
        count: u8,
        prompt: TurnId,
    },
}
