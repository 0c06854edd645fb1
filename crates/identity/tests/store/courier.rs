//! Courier queue store tests (run per backend by `store_tests!`).

use std::collections::HashSet;
use std::sync::Arc;
use std::time::Duration;

use nexus_identity::domain::message::{DispatchStatus, Message, MessageStatus, MessageType};
use nexus_identity::domain::{now, Timestamp};
use nexus_identity::store::{ListMessages, Store};
use serde_json::json;
use uuid::Uuid;

fn message(to: &str, created_at: Timestamp) -> Message {
    Message {
        id: Uuid::new_v4(),
        status: MessageStatus::Queued,
        kind: MessageType::Email,
        recipient: to.into(),
        body: "code 123456".into(),
        subject: "Your code".into(),
        template_type: "verification_code_valid".into(),
        send_count: 0,
        dispatches: Vec::new(),
        channel: "email".into(),
        created_at,
        updated_at: created_at,
        html_body: "<p>code 123456</p>".into(),
        next_attempt_at: created_at,
    }
}

fn secs(n: i64) -> chrono::Duration {
    chrono::Duration::seconds(n)
}

const LEASE: Duration = Duration::from_secs(60);

pub async fn courier_round_trip_and_list(store: Arc<dyn Store>) {
    let t0 = now() - secs(100);
    let mut all = Vec::new();
    for i in 0..5 {
        let to = if i % 2 == 0 {
            "even@example.com"
        } else {
            "odd@example.com"
        };
        let m = message(to, t0 + secs(i));
        store.enqueue_message(&m).await.unwrap();
        all.push(m);
    }
    let got = store.get_message(all[0].id).await.unwrap().unwrap();
    assert_eq!(got, all[0]);
    assert_eq!(got.html_body, "<p>code 123456</p>");
    assert!(store.get_message(Uuid::new_v4()).await.unwrap().is_none());

    // Newest first.
    let listed = store.list_messages(&ListMessages::default()).await.unwrap();
    let ids: Vec<Uuid> = listed.iter().map(|m| m.id).collect();
    let expected: Vec<Uuid> = all.iter().rev().map(|m| m.id).collect();
    assert_eq!(ids, expected);

    // Keyset pages of two.
    let mut seen = Vec::new();
    let mut token = None;
    loop {
        let page = store
            .list_messages(&ListMessages {
                page_size: 2,
                page_token: token,
                ..ListMessages::default()
            })
            .await
            .unwrap();
        if page.is_empty() {
            break;
        }
        token = page.last().map(|m| m.id);
        seen.extend(page.into_iter().map(|m| m.id));
    }
    assert_eq!(seen, expected);

    // Filters.
    let even = store
        .list_messages(&ListMessages {
            recipient: Some("even@example.com".into()),
            ..ListMessages::default()
        })
        .await
        .unwrap();
    assert_eq!(even.len(), 3);
    assert!(even.iter().all(|m| m.recipient == "even@example.com"));
    let worker = Uuid::new_v4();
    let claimed = store.claim_messages(worker, now(), LEASE, 1).await.unwrap();
    assert_eq!(claimed[0].id, all[0].id, "oldest due first");
    assert!(store.message_sent(all[0].id, worker).await.unwrap());
    let sent = store
        .list_messages(&ListMessages {
            status: Some(MessageStatus::Sent),
            ..ListMessages::default()
        })
        .await
        .unwrap();
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0].id, all[0].id);
    assert!(sent[0].dispatches.is_empty(), "lists carry no dispatches");
    let none = store
        .list_messages(&ListMessages {
            status: Some(MessageStatus::Sent),
            recipient: Some("odd@example.com".into()),
            ..ListMessages::default()
        })
        .await
        .unwrap();
    assert!(none.is_empty());
}

pub async fn courier_claims_leases_and_settles(store: Arc<dyn Store>) {
    let t0 = now() - secs(10);
    let ms: Vec<Message> = (0..3)
        .map(|i| message("a@example.com", t0 + secs(i)))
        .collect();
    for m in &ms {
        store.enqueue_message(m).await.unwrap();
    }
    let (a, b) = (Uuid::new_v4(), Uuid::new_v4());
    let first = store.claim_messages(a, now(), LEASE, 2).await.unwrap();
    assert_eq!(
        first.iter().map(|m| m.id).collect::<Vec<_>>(),
        vec![ms[0].id, ms[1].id]
    );
    assert!(first.iter().all(|m| m.status == MessageStatus::Processing));
    let second = store.claim_messages(b, now(), LEASE, 10).await.unwrap();
    assert_eq!(second.len(), 1);
    assert_eq!(second[0].id, ms[2].id);
    assert!(store
        .claim_messages(b, now(), LEASE, 10)
        .await
        .unwrap()
        .is_empty());

    // Only the lease holder settles.
    assert!(!store.message_sent(ms[0].id, b).await.unwrap());
    assert!(store.message_sent(ms[0].id, a).await.unwrap());
    assert!(
        !store.message_sent(ms[0].id, a).await.unwrap(),
        "settled once"
    );
    let sent = store.get_message(ms[0].id).await.unwrap().unwrap();
    assert_eq!(sent.status, MessageStatus::Sent);
    assert_eq!(sent.send_count, 1);
    assert_eq!(sent.dispatches.len(), 1);
    assert_eq!(sent.dispatches[0].status, DispatchStatus::Success);
    assert_eq!(sent.dispatches[0].message_id, sent.id);

    // A failure queues the message again at its retry time, counting the attempt.
    let retry_at = now() + secs(30);
    let error = json!({"message": "451 try later"});
    assert!(store
        .message_failed(ms[1].id, a, &error, Some(retry_at))
        .await
        .unwrap());
    let failed = store.get_message(ms[1].id).await.unwrap().unwrap();
    assert_eq!(failed.status, MessageStatus::Queued);
    assert_eq!(failed.send_count, 1);
    assert_eq!(failed.dispatches[0].status, DispatchStatus::Failed);
    assert_eq!(failed.dispatches[0].error, Some(error.clone()));
    assert!(store
        .claim_messages(a, now(), LEASE, 10)
        .await
        .unwrap()
        .is_empty());
    let again = store
        .claim_messages(a, retry_at + secs(1), LEASE, 10)
        .await
        .unwrap();
    assert_eq!(again.len(), 1);
    assert_eq!(again[0].send_count, 1);
    // Abandoned: no retry time.
    assert!(store
        .message_failed(ms[1].id, a, &error, None)
        .await
        .unwrap());
    let abandoned = store.get_message(ms[1].id).await.unwrap().unwrap();
    assert_eq!(abandoned.status, MessageStatus::Abandoned);
    assert_eq!(abandoned.send_count, 2);
    assert_eq!(abandoned.dispatches.len(), 2);

    // Released messages are due again without counting an attempt.
    let released = store
        .release_messages(&[ms[2].id, ms[0].id], b, now() - secs(1))
        .await
        .unwrap();
    assert_eq!(released, 1, "only b's processing message");
    let back = store.get_message(ms[2].id).await.unwrap().unwrap();
    assert_eq!((back.status, back.send_count), (MessageStatus::Queued, 0));
    assert!(back.dispatches.is_empty());

    // An expired lease makes a processing message due for another watcher.
    let claimed = store
        .claim_messages(a, now(), Duration::from_secs(1), 10)
        .await
        .unwrap();
    assert_eq!(claimed.len(), 1);
    assert!(store
        .claim_messages(b, now(), LEASE, 10)
        .await
        .unwrap()
        .is_empty());
    let later = now() + secs(5);
    let stolen = store.claim_messages(b, later, LEASE, 10).await.unwrap();
    assert_eq!(stolen.len(), 1);
    assert!(
        !store.message_sent(ms[2].id, a).await.unwrap(),
        "a lost its lease"
    );
    assert!(store.message_sent(ms[2].id, b).await.unwrap());
}

pub async fn courier_concurrent_claims_are_disjoint(store: Arc<dyn Store>) {
    let t0 = now() - secs(10);
    for i in 0..120 {
        store
            .enqueue_message(&message(
                "c@example.com",
                t0 + chrono::Duration::milliseconds(i),
            ))
            .await
            .unwrap();
    }
    let mut tasks = Vec::new();
    for _ in 0..4 {
        let store = store.clone();
        tasks.push(tokio::spawn(async move {
            let worker = Uuid::new_v4();
            let mut mine = Vec::new();
            loop {
                let batch = store.claim_messages(worker, now(), LEASE, 7).await.unwrap();
                if batch.is_empty() {
                    return mine;
                }
                for m in batch {
                    assert!(store.message_sent(m.id, worker).await.unwrap());
                    mine.push(m.id);
                }
            }
        }));
    }
    let mut all = HashSet::new();
    let mut total = 0;
    for t in tasks {
        let mine = t.await.unwrap();
        total += mine.len();
        all.extend(mine);
    }
    assert_eq!(total, 120, "every message claimed exactly once");
    assert_eq!(all.len(), 120);
}
