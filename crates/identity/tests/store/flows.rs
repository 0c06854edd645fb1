//! Flow and error store tests (run per backend by `store_tests!`).

use std::sync::Arc;

use nexus_identity::domain::ui::UiNode;
use nexus_identity::domain::{now, Flow, FlowKind, FlowState, FlowType};
use nexus_identity::store::{Store, StoreError};
use serde_json::json;
use uuid::Uuid;

fn flow(kind: FlowKind, lifespan: chrono::Duration) -> Flow {
    let mut flow = Flow::new(
        kind,
        FlowType::Browser,
        lifespan,
        "http://127.0.0.1:4433/self-service/login/browser".into(),
        "http://127.0.0.1:4433/self-service/login?flow=x".into(),
    );
    flow.ui.nodes.push(UiNode::csrf(&flow.csrf_token));
    flow.return_to = Some("http://127.0.0.1:3000/after".into());
    flow.identity_id = Some(Uuid::new_v4());
    flow.transient_payload = Some(json!({"z": 1, "a": [1, 2]}));
    flow.internal = json!({"code_hash": "ab12", "submissions": 2});
    flow
}

pub async fn flow_round_trip(store: Arc<dyn Store>) {
    let mut f = flow(FlowKind::Login, chrono::Duration::hours(1));
    store.create_flow(&f).await.unwrap();
    assert_eq!(store.get_flow(f.id).await.unwrap().unwrap(), f);
    assert!(store.get_flow(Uuid::new_v4()).await.unwrap().is_none());

    f.state = FlowState::PassedChallenge;
    f.active = Some("password".into());
    f.ui.nodes.clear();
    store.update_flow(&f).await.unwrap();
    assert_eq!(store.get_flow(f.id).await.unwrap().unwrap(), f);

    let ghost = flow(FlowKind::Settings, chrono::Duration::hours(1));
    assert!(matches!(
        store.update_flow(&ghost).await,
        Err(StoreError::NotFound)
    ));
}

pub async fn expired_flows_deleted(store: Arc<dyn Store>) {
    let old = flow(FlowKind::Recovery, chrono::Duration::minutes(-5));
    let fresh = flow(FlowKind::Verification, chrono::Duration::hours(1));
    store.create_flow(&old).await.unwrap();
    store.create_flow(&fresh).await.unwrap();
    assert_eq!(store.delete_expired_flows(now()).await.unwrap(), 1);
    assert!(store.get_flow(old.id).await.unwrap().is_none());
    assert!(store.get_flow(fresh.id).await.unwrap().is_some());
}

pub async fn errors_round_trip(store: Arc<dyn Store>) {
    let id = Uuid::new_v4();
    let body = json!({"id": "security_csrf_violation", "code": 403, "status": "Forbidden",
                      "reason": "Please retry the flow", "details": {"reject_reason": "x"}});
    let before = now();
    store.create_error(id, &body).await.unwrap();
    let (loaded, created_at) = store.get_error(id).await.unwrap().unwrap();
    assert_eq!(loaded, body);
    assert!(created_at >= before);
    assert!(store.get_error(Uuid::new_v4()).await.unwrap().is_none());
}
