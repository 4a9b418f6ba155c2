import { errorsFrom } from '../platform/errors.ts';

/** What friends say when a request cannot be done, per language. */
export const friendError = errorsFrom({
  en: {
    query_too_short: 'Type at least two characters of a name, or a full email address.',
    user_not_found: 'This user does not exist.',
    cannot_befriend_self: 'You cannot send a friend request to yourself.',
    blocked: 'You cannot send a friend request to this user.',
    already_friends: 'You and {name} are already friends.',
    'request_pending.asked': 'You already asked {name}; they have not answered yet.',
    'request_pending.between': 'A friend request between you two is already pending.',
    no_request: 'There is no pending friend request from this user.',
    not_friends: 'This user is not on your friend list.',
    cannot_block_self: 'You cannot block yourself.',
  },
  ko: {
    query_too_short: '이름을 두 글자 이상 입력하거나 이메일 주소 전체를 입력해 주세요.',
    user_not_found: '존재하지 않는 사용자입니다.',
    cannot_befriend_self: '자기 자신에게는 친구 요청을 보낼 수 없습니다.',
    blocked: '이 사용자에게는 친구 요청을 보낼 수 없습니다.',
    already_friends: '{name}님과 이미 친구입니다.',
    'request_pending.asked': '이미 {name}님에게 친구 요청을 보냈습니다. 아직 답이 없습니다.',
    'request_pending.between': '두 분 사이에 이미 대기 중인 친구 요청이 있습니다.',
    no_request: '이 사용자가 보낸 대기 중인 친구 요청이 없습니다.',
    not_friends: '이 사용자는 친구 목록에 없습니다.',
    cannot_block_self: '자기 자신은 차단할 수 없습니다.',
  },
  ja: {
    query_too_short: '名前を 2 文字以上入力するか、メールアドレスをすべて入力してください。',
    user_not_found: 'このユーザーは存在しません。',
    cannot_befriend_self: '自分自身にフレンド申請はできません。',
    blocked: 'このユーザーにはフレンド申請を送れません。',
    already_friends: '{name}さんとはすでにフレンドです。',
    'request_pending.asked': 'すでに{name}さんに申請しています。まだ返事がありません。',
    'request_pending.between': 'お二人の間にはすでに保留中のフレンド申請があります。',
    no_request: 'このユーザーからの保留中のフレンド申請はありません。',
    not_friends: 'このユーザーはフレンドリストにいません。',
    cannot_block_self: '自分自身はブロックできません。',
  },
});
