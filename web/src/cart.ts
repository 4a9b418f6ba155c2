import { useEffect, useState } from 'react';
import { get } from './api.ts';
import { useSession } from './session.tsx';

/** Said when the cart changed on this page (added, removed, bought): the header and game pages read it again. */
export const cartChanged = () => window.dispatchEvent(new Event('cart-changed'));

/** The games in the signed-in player's cart (not priced); undefined until known, or for a visitor. */
export function useCartIds(): string[] | undefined {
  const { me } = useSession();
  const [ids, setIds] = useState<string[]>();
  useEffect(() => {
    if (!me) return setIds(undefined);
    let stop = false;
    const load = () =>
      get<{ gameIds: string[] }>('/api/cart/items').then(
        (c) => !stop && setIds(c.gameIds),
        () => undefined,
      );
    void load();
    window.addEventListener('cart-changed', load);
    return () => {
      stop = true;
      window.removeEventListener('cart-changed', load);
    };
  }, [me]);
  return ids;
}
